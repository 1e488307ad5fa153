import Foundation

/// Issues that look alike, pure: TF-IDF over the normalized tokens of each issue's type,
/// message, culprit and grouping components (stack frames), ranked by cosine similarity. A
/// merge helper: the same failure grouped apart (another message parameter, a moved frame).
public enum SimilarIssues {
    /// What is compared of an issue.
    public struct Document: Sendable, Hashable {
        public var issueID: Int64
        public var projectID: ProjectID
        public var title: String
        public var text: String

        public init(issueID: Int64, projectID: ProjectID, title: String, text: String) {
            self.issueID = issueID
            self.projectID = projectID
            self.title = title
            self.text = text
        }
    }

    public struct Match: Sendable, Hashable {
        public var issueID: Int64
        public var projectID: ProjectID
        public var title: String
        /// Cosine similarity, 0…1.
        public var score: Double
    }

    /// The `limit` documents most like `target` with a score of at least `minimum`, best first.
    public static func rank(_ target: Document, among documents: [Document], limit: Int = 10, minimum: Double = 0.3) -> [Match] {
        let tokenized = documents.filter { $0.issueID != target.issueID }.map { ($0, tokens($0.text)) }
        let targetTokens = tokens(target.text)
        guard !targetTokens.isEmpty else { return [] }
        // Document frequency over the candidates and the target, smoothed.
        var frequency: [String: Int] = [:]
        for (_, words) in tokenized { for word in Set(words) { frequency[word, default: 0] += 1 } }
        for word in Set(targetTokens) { frequency[word, default: 0] += 1 }
        let total = Double(tokenized.count + 1)
        func vector(_ words: [String]) -> [String: Double] {
            var counts: [String: Double] = [:]
            for word in words { counts[word, default: 0] += 1 }
            var weights: [String: Double] = [:]
            for (word, count) in counts { weights[word] = (1 + log(count)) * (log((1 + total) / (1 + Double(frequency[word] ?? 0))) + 1) }
            return weights
        }
        func norm(_ v: [String: Double]) -> Double { v.values.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        let target = vector(targetTokens)
        let targetNorm = norm(target)
        var matches: [Match] = []
        for (document, words) in tokenized where !words.isEmpty {
            let candidate = vector(words)
            let dot = target.reduce(0.0) { $0 + $1.value * (candidate[$1.key] ?? 0) }
            let score = dot / (targetNorm * norm(candidate))
            if score >= minimum {
                matches.append(Match(issueID: document.issueID, projectID: document.projectID, title: document.title, score: (score * 1000).rounded() / 1000))
            }
        }
        return Array(matches.sorted { ($0.score, -$0.issueID) > ($1.score, -$1.issueID) }.prefix(limit))
    }

    /// Lowercased words of letters and `_`, split at case changes (`getUserName`); runs with a
    /// digit (numbers, hex, ids) and one-letter words are dropped, since they vary between
    /// occurrences of one failure.
    static func tokens(_ text: String) -> [String] {
        var words: [String] = []
        for run in text.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }) where !run.contains(where: \.isNumber) {
            var current = ""
            var previousLower = false
            for character in run {
                if character.isUppercase, previousLower {
                    words.append(current)
                    current = ""
                }
                current.append(character)
                previousLower = character.isLowercase
            }
            words.append(current)
        }
        return words.filter { $0.count > 1 }.map { $0.lowercased() }
    }
}
