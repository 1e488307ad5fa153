/// The little a user agent says that performance segments need: the kind of device and the
/// browser family. Ordered checks, as browsers name their ancestors in their agents.
public struct UserAgent: Sendable, Equatable {
    public var device: String
    public var browser: String

    public init(_ agent: String) {
        let ua = agent.lowercased()
        if ua.contains("bot") || ua.contains("spider") || ua.contains("crawl") || ua.contains("headlesschrome") && ua.contains("lighthouse") {
            device = "bot"
        } else if ua.contains("ipad") || ua.contains("tablet") || (ua.contains("android") && !ua.contains("mobile")) {
            device = "tablet"
        } else if ua.contains("mobi") || ua.contains("iphone") || ua.contains("ipod") || ua.contains("android") {
            device = "mobile"
        } else {
            device = "desktop"
        }
        if ua.contains("edg/") || ua.contains("edge/") {
            browser = "Edge"
        } else if ua.contains("opr/") || ua.contains("opera") {
            browser = "Opera"
        } else if ua.contains("samsungbrowser") {
            browser = "Samsung Internet"
        } else if ua.contains("firefox/") || ua.contains("fxios") {
            browser = "Firefox"
        } else if ua.contains("chrome/") || ua.contains("crios") || ua.contains("chromium") {
            browser = "Chrome"
        } else if ua.contains("safari/") {
            browser = "Safari"
        } else {
            browser = "Other"
        }
    }
}
