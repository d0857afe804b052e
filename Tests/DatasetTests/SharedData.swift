import Foundation
import XCTest

/// Locates /work/shared (`../shared` next to the package root) for tests that use the real
/// composite data or the reference fixtures; those tests skip, saying why, where it is absent.
enum SharedData {
    static let root: String = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared").standardizedFileURL.path

    static func path(_ relative: String) throws -> String {
        let path = root + "/" + relative
        guard FileManager.default.fileExists(atPath: path) else {
            throw XCTSkip("\(path) is absent: this test needs the shared data next to the package")
        }
        return path
    }
}

/// A fresh temporary folder per test, removed when the test ends.
func temporaryDirectory(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "dataset-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}
