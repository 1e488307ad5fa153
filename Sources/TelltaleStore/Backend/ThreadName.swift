#if canImport(Glibc)
import Glibc
#endif

/// Names the calling thread, as `top -H`, `ps -L` and profilers show it (Linux caps a name at
/// 15 bytes). Through `/proc/thread-self/comm`: Glibc's `pthread_setname_np` is not visible
/// to Swift without `_GNU_SOURCE`. Best effort; elsewhere it does nothing.
enum ThreadName {
    static func setCurrent(_ name: String) {
        #if os(Linux)
        let descriptor = open("/proc/thread-self/comm", O_WRONLY)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        #endif
    }
}
