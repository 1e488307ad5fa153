import Foundation
import Testing
import TelltaleFuzzTargets

/// Every input the fuzzers kept (Tests/Fuzz/<target>/seeds, corpus and regressions, the last
/// being crashes they found, kept once fixed) runs through its target again on every test run.
@Suite struct FuzzCorpusTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fuzz")

    static func inputs(_ target: FuzzTarget) -> [URL] {
        ["seeds", "corpus", "regressions"].flatMap { folder in
            let url = root.appendingPathComponent(target.rawValue).appendingPathComponent(folder)
            return ((try? FileManager.default.contentsOfDirectory(at: url, includingPropertiesForKeys: nil)) ?? [])
                .filter { !$0.lastPathComponent.hasPrefix(".") }
        }
    }

    @Test(arguments: FuzzTarget.allCases) func keptInputsStillPass(_ target: FuzzTarget) throws {
        let inputs = Self.inputs(target)
        #expect(!inputs.isEmpty, "no seeds for \(target.rawValue)")
        for input in inputs {
            target.run(try [UInt8](Data(contentsOf: input)))
        }
    }
}
