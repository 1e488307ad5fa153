import ServiceLifecycle
import TelltaleAPI
import TelltaleCore
import TelltaleStore

/// Analysis: issue classification by the organizations' rules (applied by the ingest writer
/// when an issue opens), the rules' API and their dry run.
struct AnalysisCapability: Capability {
    let repositories: Repositories

    init(store: Store) {
        repositories = store.repositories
    }

    func addRoutes(_ groups: RouteGroups) {
        ClassificationController(repositories: repositories).addRoutes(to: groups.api)
    }

    var services: [any Service] { [] }
}
