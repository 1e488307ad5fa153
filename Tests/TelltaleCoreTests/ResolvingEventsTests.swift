import Testing
import TelltaleCore

@Suite("Events that resolve their issue")
struct ResolvingEventsTests {
    @Test("an issue is resolved by a batch only when its latest event in it carries the tag")
    func latestDecides() {
        let resolved = IssueLifecycle.resolvedByTheirEvents([(1, false), (1, true), (2, true), (2, false), (3, false), (4, true)])
        #expect(resolved == [1, 4])
        #expect(IssueLifecycle.resolvedByTheirEvents([]).isEmpty)
    }
}
