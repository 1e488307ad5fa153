import Foundation
import SentryProtocol
import TelltaleCore

/// What a new user needs to send a first event: a DSN and two snippets.
struct SetupView: Sendable {
    var project: String
    var dsn: String
    var canManage: Bool
    var settingsHref: String
}

extension Dashboard {
    func setupView(_ scope: PageScope) async throws -> SetupView? {
        for project in scope.projects {
            if let key = try await repositories.projects.keys(projectID: project.id).first(where: \.isActive),
               let dsn = DSN(baseURL: publicURL, publicKey: key.publicKey, projectID: project.id.description) {
                return SetupView(project: project.slug.rawValue, dsn: dsn.description, canManage: scope.chrome.canManage,
                                 settingsHref: "\(scope.orgPath)/settings/")
            }
        }
        return nil
    }

    /// A key's DSN, as SDKs take it.
    func dsn(_ key: ClientKey) -> String {
        DSN(baseURL: publicURL, publicKey: key.publicKey, projectID: key.projectID.description)?.description ?? ""
    }
}
