import Foundation
public import Hummingbird
public import TelltaleCore
public import TelltaleHTTP

/// The web dashboard: server-rendered pages over the same repositories and role checks as
/// the REST API. Each page lives in its own file as an extension.
public struct Dashboard: Sendable {
    let accounts: AccountService
    let repositories: Repositories
    let templates: WebTemplates
    let publicURL: String
    let authorizer: Authorizer
    let throttle: SignInThrottle
    /// The LLM model root-cause analyses may ask, when one is configured.
    let llmModel: String?
    /// Wakes live pages when what they show is committed.
    let live: any LiveSignals

    public init(accounts: AccountService, repositories: Repositories, templates: WebTemplates, publicURL: String, live: any LiveSignals, llmModel: String? = nil) {
        self.llmModel = llmModel
        self.live = live
        self.accounts = accounts
        self.repositories = repositories
        self.templates = templates
        self.publicURL = publicURL
        self.authorizer = Authorizer(repositories: repositories)
        self.throttle = SignInThrottle(failures: repositories.loginFailures)
    }

    /// Adds every dashboard route (HTML pages, form posts, live updates, assets).
    public func addRoutes(to router: some RouterMethods<TelltaleRequestContext>) {
        StaticAssets().addRoutes(to: router)
        addSignInRoutes(to: router)
        addOverviewRoutes(to: router)
        addIssueListRoutes(to: router)
        addIssueRoutes(to: router)
        addIssueListingRoutes(to: router)
        addLiveRoutes(to: router)
        addSettingsRoutes(to: router)
        addAuditRoutes(to: router)
        addAccessRoutes(to: router)
        addInvitationRoutes(to: router)
        addNotificationRoutes(to: router)
    }

    /// The signed-in user, or 401 (which the error pages turn into the sign-in page).
    func signedIn(_ context: TelltaleRequestContext) throws -> Principal {
        guard let principal = context.principal, context.session != nil else {
            throw APIError.unauthorized("sign in to see this page")
        }
        return principal
    }

    /// An organization the user may act on, with what the page header needs.
    func scope(_ orgSlug: String, _ context: TelltaleRequestContext, _ action: Action, section: Chrome.Section) async throws -> PageScope {
        let principal = try signedIn(context)
        let (organization, role) = try await authorizer.organizationAndRole(orgSlug, principal, action, scope: action == .view ? .eventRead : .eventWrite)
        let projects = try await repositories.projects.projects(organizationID: organization.id)
        let chrome = try await chrome(principal, context: context, organization: organization, role: role, section: section)
        return PageScope(principal: principal, organization: organization, role: role, projects: projects, chrome: chrome)
    }

    /// Organizations a user belongs to; every one for a system administrator.
    func organizations(visibleTo principal: Principal) async throws -> [Organization] {
        principal.user.isSystemAdmin
            ? try await repositories.organizations.all()
            : try await repositories.organizations.memberships(of: principal.user.id).map(\.0)
    }

    /// The header of every signed-in page.
    func chrome(_ principal: Principal, context: TelltaleRequestContext, organization: Organization?, role: Role?, section: Chrome.Section) async throws -> Chrome {
        let visible = try await organizations(visibleTo: principal)
        let effective = AccessPolicy.effectiveRole(principal, role: role)
        return Chrome(
            user: .init(name: principal.user.name, email: principal.user.email),
            csrf: context.session?.csrfToken ?? "",
            // Pages outside an organization (the account) still link to the first one's sections.
            organization: (organization ?? visible.first).map { .init(slug: $0.slug.rawValue, name: $0.name, current: organization != nil) },
            organizations: visible.map { .init(slug: $0.slug.rawValue, name: $0.name, current: $0.id == organization?.id) },
            section: section,
            canTriage: (effective ?? .viewer) >= .member,
            canManage: (effective ?? .viewer) >= .admin,
            unread: try await repositories.alerts.unreadCount(userID: principal.user.id)
        )
    }
}

/// What every organization page starts from.
struct PageScope: Sendable {
    var principal: Principal
    var organization: Organization
    var role: Role?
    var projects: [Project]
    var chrome: Chrome

    var orgPath: String { "/organizations/\(organization.slug.rawValue)" }
}

/// The page header: who is signed in, where they are, what they may do. Templates read it
/// through `MustacheParent` (MustacheLookups.swift), so derived values can be computed.
struct Chrome: Sendable {
    enum Section: Sendable { case overview, issues, health, performance, business, reports, alerts, incidents, settings, account, notifications }
    struct UserView: Sendable { var name: String; var email: String }
    struct OrgLink: Sendable { var slug: String; var name: String; var current: Bool }

    var user: UserView
    var csrf: String
    var organization: OrgLink?
    var organizations: [OrgLink]
    var section: Section
    var canTriage: Bool
    var canManage: Bool
    /// In-app notifications not read yet (the bell).
    var unread: Int

    var isOverview: Bool { section == .overview }
    var isIssues: Bool { section == .issues }
    var isHealth: Bool { section == .health }
    var isPerformance: Bool { section == .performance }
    var isBusiness: Bool { section == .business }
    var isReports: Bool { section == .reports }
    var isSettings: Bool { section == .settings }
    var isAccount: Bool { section == .account }
    var isAlerts: Bool { section == .alerts }
    var isIncidents: Bool { section == .incidents }
    var isNotifications: Bool { section == .notifications }
    var hasManyOrganizations: Bool { organizations.count > 1 }
}
