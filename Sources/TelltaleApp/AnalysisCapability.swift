import ServiceLifecycle
import TelltaleAPI
import TelltaleCore
import TelltaleStore
import TelltaleWeb

/// Analysis: issue classification by the organizations' rules (applied by the ingest writer
/// when an issue opens), the rules' API and settings page, and their dry run.
struct AnalysisCapability: Capability {
    let repositories: Repositories
    let dashboard: Dashboard

    init(store: Store, dashboard: Dashboard) {
        repositories = store.repositories
        self.dashboard = dashboard
    }

    func addRoutes(_ groups: RouteGroups) {
        ClassificationController(repositories: repositories).addRoutes(to: groups.api)
        ClassificationDashboard(dashboard: dashboard).addRoutes(to: groups.web)
    }

    var services: [any Service] { [] }
}
