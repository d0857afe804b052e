import Foundation
import XCTest

/// Locates `../shared` next to the package root (reference fixtures, real composite data) for the
/// tests that use it; those tests skip, saying why, where it is absent (a user's clone has none).
public enum SharedData {
    public static let root: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared").standardizedFileURL.path

    public static func path(_ relative: String) throws -> String {
        let path = root + "/" + relative
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("\(path) is absent: this test needs the shared data next to the package")
        }
        return path
    }
}

/// A fresh temporary folder per test, removed when the test ends.
public func temporaryDirectory(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "loso-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}

/// The reference fixtures shipped in Tests/Fixtures (see its README): always present in a clone, so a
/// missing one is a failure, not a skip.
public enum Fixtures {
    public static let directory: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures").path

    public static func path(_ name: String) throws -> String {
        let path = directory + "/" + name
        guard FileManager.default.fileExists(atPath: path) else {
            throw FixtureMissing(path: path)
        }
        return path
    }

    public struct FixtureMissing: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "\(path) is missing: the fixtures ship with the repository (Tests/Fixtures)" }
    }
}
