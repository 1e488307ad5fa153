import AsyncHTTPClient
import NIOCore
import Testing
@testable import TelltaleMonitors

/// How a failed HTTP check is worded for the operator: the server going away in each of the
/// ways NIO reports it names the connection and the host, never a library's internal wording.
@Suite("HTTP check failure wording")
struct CheckFailureWordingTests {
    static let url = "http://127.0.0.1:8123/health"

    @Test("a connection the server closed mid-request says so", arguments: [
        ChannelError.ioOnClosedChannel, .eof, .alreadyClosed, .outputClosed, .inputClosed,
    ])
    func closedChannel(error: ChannelError) {
        let text = HTTPChecker.describe(error, timeout: .seconds(5), url: Self.url)
        #expect(text == "connection closed by 127.0.0.1:8123 before it answered")
    }

    @Test("timeouts and closed connections from the client library are worded for people")
    func clientErrors() {
        #expect(HTTPChecker.describe(HTTPClientError.readTimeout, timeout: .seconds(7), url: Self.url) == "timed out after 7 s")
        #expect(HTTPChecker.describe(HTTPClientError.remoteConnectionClosed, timeout: .seconds(5), url: Self.url)
            .contains("closed the connection"))
    }
}
