import Dataset
import Foundation
import XCTest

/// Locates /work/shared (`../shared` next to the package root) for tests that use the real apex
/// face crops; those tests skip, saying why, where it is absent.
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

    /// A real apex face crop (224x224) from the composite, as a grey image of `side` pixels.
    static func face(_ name: String, side: Int) throws -> GrayImage {
        let path = try path("data/composite/apex/" + name)
        guard let image = GrayImage.read(path: path) else { throw XCTSkip("cannot read \(path)") }
        return image.resized(rows: side, cols: side)
    }
}

/// The dlib model is large; tests share one instance, and skip where Debian's libdlib-data is absent.
enum SharedDetectors {
    nonisolated(unsafe) static var cached: FaceLandmarkDetector?

    static func landmarks() throws -> FaceLandmarkDetector {
        if let cached { return cached }
        guard FileManager.default.fileExists(atPath: FaceLandmarkDetector.defaultModelPath) else {
            throw XCTSkip("\(FaceLandmarkDetector.defaultModelPath) is absent: run cluster/setup.sh (installs libdlib-data)")
        }
        let detector = try FaceLandmarkDetector()
        cached = detector
        return detector
    }
}

func temporaryDirectory(_ test: XCTestCase) throws -> String {
    let path = NSTemporaryDirectory() + "preprocessing-tests-" + UUID().uuidString
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
}
