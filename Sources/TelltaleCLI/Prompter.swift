import ArgumentParser
import Foundation

/// Questions on the terminal with a default in brackets (Enter takes it). A question whose
/// flag was given is not asked; without a terminal (or with `--yes`) nothing is asked and
/// the defaults answer. A wrong answer is explained and the question asked again.
struct Prompter {
    let interactive: Bool

    mutating func text(_ question: String, flag: String?, default value: String, hint: String? = nil) throws -> String {
        if let flag { return flag }
        guard interactive else { return value }
        let suffix = hint.map { " (\($0))" } ?? ""
        return try ask("\(question)\(suffix) [\(value)]: ") ?? value
    }

    mutating func choice(_ question: String, flag: String?, options: [(key: String, title: String)], default value: String) throws -> String {
        if let flag {
            guard options.contains(where: { $0.key == flag }) else {
                throw ValidationError("\(question.lowercased()) must be one of \(options.map(\.key).joined(separator: ", "))")
            }
            return flag
        }
        guard interactive else { return value }
        Console.out("\(question):")
        for (index, option) in options.enumerated() { Console.out("  \(index + 1)) \(option.key): \(option.title)") }
        while true {
            let answer = try ask("Choose a number or name [\(value)]: ") ?? value
            if let number = Int(answer), options.indices.contains(number - 1) { return options[number - 1].key }
            if options.contains(where: { $0.key == answer }) { return answer }
            Console.out("  Please answer with a number from 1 to \(options.count) or one of the names.")
        }
    }

    mutating func rate(_ question: String, flag: Double?, default value: Double) throws -> Double {
        if let flag {
            guard (0...1).contains(flag) else { throw ValidationError("\(question.lowercased()) must be between 0 and 1") }
            return flag
        }
        guard interactive else { return value }
        while true {
            let answer = try ask("\(question), 0 to 1 [\(SDKSnippet.number(value))]: ")
            guard let answer else { return value }
            if let number = Double(answer), (0...1).contains(number) { return number }
            Console.out("  Please answer with a number from 0 to 1, like 0.25.")
        }
    }

    mutating func yesNo(_ question: String, flag: String?, default value: Bool) throws -> Bool {
        if let flag {
            guard let parsed = Self.bool(flag) else { throw ValidationError("\(question.lowercased()) must be yes or no") }
            return parsed
        }
        guard interactive else { return value }
        while true {
            let answer = try ask("\(question)? [\(value ? "Y/n" : "y/N")]: ")
            guard let answer else { return value }
            if let parsed = Self.bool(answer) { return parsed }
            Console.out("  Please answer yes or no.")
        }
    }

    static func bool(_ text: String) -> Bool? {
        switch text.lowercased() {
        case "y", "yes", "true", "1", "on": true
        case "n", "no", "false", "0", "off": false
        default: nil
        }
    }

    /// The trimmed answer, or `nil` for an empty one; end of input stops the assistant.
    private func ask(_ prompt: String) throws -> String? {
        FileHandle.standardOutput.write(Data(prompt.utf8))
        guard let line = readLine() else {
            Console.out("")
            throw ExitCode(130)
        }
        let answer = line.trimmingCharacters(in: .whitespaces)
        return answer.isEmpty ? nil : answer
    }
}

/// The JSON configuration file `--config` reads: settings are merged in, the rest is kept.
enum ConfigFile {
    static func set(_ settings: [String: [String: String]], in path: String) throws {
        var root: [String: Any] = [:]
        if let data = FileManager.default.contents(atPath: path) {
            guard let existing = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                throw ServerClient.Failure(description: "\(path) is not a JSON object; not changing it")
            }
            root = existing
        }
        for (section, values) in settings {
            var merged = root[section] as? [String: Any] ?? [:]
            for (key, value) in values { merged[key] = value }
            root[section] = merged
        }
        let data = try JSONSerialization.data(withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        // It may hold the mail server's password: readable by its owner only.
        guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw ServerClient.Failure(description: "cannot write \(path)")
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
    }
}
