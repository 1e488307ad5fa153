import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The terminal under a full-screen view, on plain ANSI escapes and termios: raw input
/// (keys without Enter, no echo), the alternate screen, redrawing in place, the size, and
/// everything put back on exit. Keys arrive from a thread blocked in `read` (a terminal
/// has no non-blocking read that fits Swift concurrency better).
final class Terminal {
    enum Key: Equatable, Sendable {
        case character(Character)
        case up, down, enter
        /// Ctrl-C, read as a key so the terminal is put back before the program ends.
        case interrupt
    }

    private var saved = termios()
    private var raw = false

    /// Whether standard input and output are both a terminal.
    static var isInteractive: Bool { isatty(STDIN_FILENO) != 0 && isatty(STDOUT_FILENO) != 0 }

    /// Columns and rows; 80×24 when the size cannot be read.
    static func size() -> (width: Int, height: Int) {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return (80, 24) }
        return (Int(size.ws_col), Int(size.ws_row))
    }

    /// Raw input, the alternate screen, no cursor.
    func enter() {
        guard tcgetattr(STDIN_FILENO, &saved) == 0 else { return }
        var changed = saved
        // No line editing, no echo, and Ctrl-C as a key rather than a signal (a signal would end
        // the program with the terminal still raw); reads return each key as it comes.
        changed.c_lflag &= ~tcflag_t(ICANON | ECHO | ISIG)
        withUnsafeMutableBytes(of: &changed.c_cc) { cc in
            cc[Int(VMIN)] = 1
            cc[Int(VTIME)] = 0
        }
        raw = tcsetattr(STDIN_FILENO, TCSAFLUSH, &changed) == 0
        write("\u{1B}[?1049h\u{1B}[?25l")
    }

    /// Everything as it was.
    func leave() {
        write("\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l")
        if raw { tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved) }
        raw = false
    }

    /// Draws `lines` over the previous frame: home, each line cleared to its end.
    func draw(_ lines: [String]) {
        var text = "\u{1B}[H"
        for (index, line) in lines.enumerated() {
            text += line + "\u{1B}[K" + (index < lines.count - 1 ? "\r\n" : "")
        }
        write(text + "\u{1B}[J")
    }

    func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// Keys as they are pressed, until input ends.
    static func keys() -> AsyncStream<Key> {
        let (stream, continuation) = AsyncStream<Key>.makeStream()
        let thread = Thread {
            var pending: [UInt8] = []
            var byte: UInt8 = 0
            while read(STDIN_FILENO, &byte, 1) == 1 {
                pending.append(byte)
                if let (key, used) = parse(pending) {
                    pending.removeFirst(used)
                    if let key { continuation.yield(key) }
                }
            }
            continuation.finish()
        }
        thread.start()
        return stream
    }

    /// The key at the start of `bytes` and how many bytes it used; `nil` when more are needed.
    static func parse(_ bytes: [UInt8]) -> (Key?, Int)? {
        guard let first = bytes.first else { return nil }
        switch first {
        case 0x1B:
            guard bytes.count >= 2 else { return nil }
            guard bytes[1] == UInt8(ascii: "[") || bytes[1] == UInt8(ascii: "O") else { return (nil, 1) }
            guard bytes.count >= 3 else { return nil }
            switch bytes[2] {
            case UInt8(ascii: "A"): return (.up, 3)
            case UInt8(ascii: "B"): return (.down, 3)
            default: return (nil, 3)
            }
        case 0x0D, 0x0A: return (.enter, 1)
        case 0x03: return (.interrupt, 1)
        case 0x20...0x7E: return (.character(Character(UnicodeScalar(first))), 1)
        default: return (nil, 1)
        }
    }
}
