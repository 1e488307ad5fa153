import Hummingbird
import ServiceLifecycle
import TelltaleHTTP

/// Where a capability attaches its routes: the API group (bearer tokens), the dashboard
/// group (sessions) and the public root (its own credentials, or none).
struct RouteGroups {
    var api: RouterGroup<TelltaleRequestContext>
    var web: RouterGroup<TelltaleRequestContext>
    var root: Router<TelltaleRequestContext>
}

/// One capability of the product: what it adds to the server. `buildApplication` lists
/// capabilities instead of wiring each one's parts.
protocol Capability: Sendable {
    /// Adds its API, dashboard and public routes.
    func addRoutes(_ groups: RouteGroups)
    /// Its long-running services, started after the store and stopped before it.
    var services: [any Service] { get }
    /// Called once the schema is ready, with the installation's secret (for keys of its own).
    func prepare(instanceSecret: String)
}

extension Capability {
    func prepare(instanceSecret: String) {}
}
