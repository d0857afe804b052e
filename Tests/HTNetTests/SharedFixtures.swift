import Foundation
import XCTest

/// ../shared beside the package root holds the reference fixtures; a user's clone has none, so
/// tests that need it skip with a message instead of failing.
enum SharedFixtures {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared")
    }

    static func path(_ relative: String) throws -> String {
        let p = root.appendingPathComponent(relative).path
        guard FileManager.default.fileExists(atPath: p) else {
            throw XCTSkip("reference fixture \(p) is absent (../shared is only beside a developer checkout)")
        }
        return p
    }
}
