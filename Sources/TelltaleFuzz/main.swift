import Foundation
import TelltaleFuzzTargets

// libFuzzer's driver: built only with `TELLTALE_FUZZ=1` and `-sanitize=fuzzer` (scripts/fuzz.sh).
// SwiftPM names this module's entry point `main`, so this hands the arguments to libFuzzer
// instead of linking libFuzzer's own `main`.
@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

guard FuzzTarget.selected != nil else {
    FileHandle.standardError.write(Data("set TELLTALE_FUZZ_TARGET to one of: \(FuzzTarget.allCases.map(\.rawValue).joined(separator: ", "))\n".utf8))
    exit(2)
}

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runFuzzerDriver(&argc, &argv) { data, size in
    guard let data, let target = FuzzTarget.selected else { return 0 }
    target.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
})
