import Dataset
import Preprocessing
import Foundation
import TestSupport
import XCTest

extension SharedData {
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
