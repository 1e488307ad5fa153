import Testing
import TelltaleCore

/// The one rule for memberships, as a table: who may make which change, and when the last
/// owner stays.
@Suite("Membership policy")
struct MembershipPolicyTests {
    enum Outcome: Sendable { case allowed, forbidden, conflict }

    static let cases: [(MembershipPolicy.Change, Role?, Bool, Int, Outcome)] = [
        // Admins manage everyone but owners.
        (.add(.member), .admin, false, 1, .allowed),
        (.add(.admin), .admin, false, 1, .allowed),
        (.add(.owner), .admin, false, 1, .forbidden),
        (.change(from: .owner, to: .viewer), .admin, false, 1, .forbidden),
        (.change(from: .owner, to: .viewer), .admin, false, 0, .forbidden),
        (.remove(current: .owner), .admin, false, 1, .forbidden),
        (.change(from: .viewer, to: .owner), .admin, false, 1, .forbidden),
        (.change(from: .viewer, to: .admin), .admin, false, 1, .allowed),
        (.remove(current: .member), .admin, false, 1, .allowed),
        // Members and viewers manage no one.
        (.add(.viewer), .member, false, 1, .forbidden),
        (.remove(current: .viewer), .viewer, false, 1, .forbidden),
        (.add(.viewer), nil, false, 1, .forbidden),
        // Owners manage owners, but the last one stays.
        (.add(.owner), .owner, false, 1, .allowed),
        (.change(from: .owner, to: .admin), .owner, false, 1, .allowed),
        (.change(from: .owner, to: .admin), .owner, false, 0, .conflict),
        (.remove(current: .owner), .owner, false, 0, .conflict),
        (.remove(current: .owner), .owner, false, 2, .allowed),
        (.change(from: .owner, to: .owner), .owner, false, 0, .allowed),
        // System administrators and the CLI act as owners, and keep the last owner too.
        (.add(.owner), nil, true, 1, .allowed),
        (.remove(current: .owner), nil, true, 0, .conflict),
    ]

    @Test("who may grant, change or remove which role", arguments: cases.indices)
    func table(index: Int) {
        let (change, actor, installation, otherOwners, expected) = Self.cases[index]
        let outcome: Outcome
        do {
            try MembershipPolicy.check(change, actorRole: actor, isInstallationAdmin: installation, otherOwners: otherOwners)
            outcome = .allowed
        } catch .forbidden {
            outcome = .forbidden
        } catch .conflict {
            outcome = .conflict
        } catch {
            Issue.record("unexpected \(error)")
            return
        }
        #expect(outcome == expected, "\(change) by \(actor.map(\.rawValue) ?? "installation") with \(otherOwners) other owners")
    }
}
