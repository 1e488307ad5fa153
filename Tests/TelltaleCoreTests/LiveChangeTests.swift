import Testing
import TelltaleCore

@Suite("Live changes")
struct LiveChangeTests {
    @Test("the wire text the triggers build reads back into the change", arguments: [
        LiveChange(.issues, .project(ProjectID(12))), LiveChange(.monitors, .organization(OrganizationID(3))),
        LiveChange(.notifications, .user(UserID(5))), LiveChange(.incidents, nil),
    ])
    func roundTrip(change: LiveChange) {
        #expect(LiveChange(wire: change.wire) == change)
    }

    @Test("text that is not a change is refused", arguments: ["", "issue p1", "issues x1", "issues p", "issues pabc", "issues  p1"])
    func refused(wire: String) {
        #expect(LiveChange(wire: wire) == nil)
    }

    @Test("a change wakes pages of its topic that show its subject; one without a subject wakes them all")
    func wakes() {
        let web = LiveSubject.project(ProjectID(1)), api = LiveSubject.project(ProjectID(2))
        #expect(LiveChange(.issues, web).wakes(.issues, [web, api]))
        #expect(!LiveChange(.issues, web).wakes(.issues, [api]))
        #expect(!LiveChange(.issues, web).wakes(.monitors, [web]))
        #expect(LiveChange(.issues, nil).wakes(.issues, [api]))
        #expect(Set(LiveChange.everything.map(\.topic)) == Set(LiveTopic.allCases))
    }
}
