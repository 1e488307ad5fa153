public import TelltaleCore

extension SecretBox {
    /// `draft` with its secrets (header values, signing secrets) encrypted; a masked value sent
    /// back keeps the secret stored at the same step and header of `previous`.
    public func sealed(_ draft: RunbookDraft, previous: RunbookDraft?) throws -> RunbookDraft {
        var sealed = draft
        for (index, step) in draft.steps.enumerated() {
            guard case .http(var call) = step else { continue }
            var old: RunbookStep.HTTPCall?
            if let previous, index < previous.steps.count, case .http(let earlier) = previous.steps[index] { old = earlier }
            for (name, value) in call.headers {
                if value == Self.mask {
                    guard let kept = old?.headers[name] else { throw ValidationError(field: "steps.headers", reason: "'\(name)' is masked but no earlier value exists") }
                    call.headers[name] = kept
                } else {
                    call.headers[name] = try seal(value)
                }
            }
            if let secret = call.secret {
                call.secret = secret == Self.mask ? old?.secret : try seal(secret)
            }
            sealed.steps[index] = .http(call)
        }
        return sealed
    }

    /// `draft` as shown back: every secret replaced by the mask.
    public static func masked(_ draft: RunbookDraft) -> RunbookDraft {
        var masked = draft
        for (index, step) in draft.steps.enumerated() {
            guard case .http(var call) = step else { continue }
            call.headers = call.headers.mapValues { _ in mask }
            call.secret = call.secret.map { _ in mask }
            masked.steps[index] = .http(call)
        }
        return masked
    }
}
