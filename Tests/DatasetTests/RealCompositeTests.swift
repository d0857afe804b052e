import Dataset
import Preprocessing
import Foundation
import Tensor
import TestSupport
import XCTest

/// The shipped SMIC + CASME II composite, checked against its published counts and against the
/// inputs the reference implementation composed for the parity fixtures.
final class RealCompositeTests: XCTestCase {
    /// Loaded once: several tests use the result.
    static var cached: ComposedDataset?

    func composite() throws -> ComposedDataset {
        if let cached = Self.cached { return cached }
        let loaded = try CompositeLoader(directory: SharedData.path("data/composite")).load()
        Self.cached = loaded
        return loaded
    }

    func testCountsMatchTheComposite() throws {
        let data = try composite()
        XCTAssertEqual(data.samples.count, 309)
        XCTAssertEqual(data.subjects.count, 40)
        XCTAssertEqual(data.datasetNames, ["casme2", "smic"])
        XCTAssertEqual(data.inputs.count, 309 * 3 * 28 * 28)
        XCTAssertTrue(data.skipped.isEmpty)
        func classCounts(_ dataset: String) -> [Int] {
            (0..<3).map { c in data.samples.filter { $0.dataset == dataset && $0.label == c }.count }
        }
        XCTAssertEqual(classCounts("smic"), [70, 51, 43])
        XCTAssertEqual(classCounts("casme2"), [88, 32, 25])
        XCTAssertEqual(data.manifest.landmarksDetected, 137)
        XCTAssertEqual(data.manifest.landmarksFallbackInFile, 172)
        XCTAssertEqual(data.manifest.landmarksMissingRow, 0)
        XCTAssertEqual(data.samples.first?.id, "sub01_EP02_01f .png")
        XCTAssertEqual(data.indices(ofSubject: "sub01"), [0, 1, 2])
        XCTAssertEqual(data.inputs(at: [1]), Array(data.inputs[2352..<4704]))
    }

    func testFixtureInputsAreReproducedExactly() throws {
        let data = try composite()
        let index = Dictionary(uniqueKeysWithValues: data.samples.enumerated().map { ($0.element.id, $0.offset) })
        for name in ["htnet-parity-small", "htnet-parity-seq4"] {
            let fixture = try SafeTensorsFile.read(path: Fixtures.path("\(name).safetensors"))
            let names = try JSONDecoder().decode([String].self, from: Data(fixture.metadata["samples"]!.utf8))
            let expected = try XCTUnwrap(fixture.tensors["input"])
            XCTAssertEqual(expected.shape, [8, 3, 28, 28])
            let ours = data.inputs(at: try names.map { try XCTUnwrap(index[$0], "\($0) not loaded") })
            XCTAssertEqual(ours, expected.floats, "\(name): composed inputs differ from the reference's")
        }
    }

    /// The geometric crop reads the same files but transposes each crop's centre, so the inputs differ.
    func testGeometricCropDiffers() throws {
        let reference = try composite()
        let geometric = try CompositeLoader(directory: SharedData.path("data/composite"),
                                            options: LoadOptions(crop: .geometric)).load()
        XCTAssertEqual(geometric.samples, reference.samples)
        XCTAssertNotEqual(geometric.inputs, reference.inputs)
        XCTAssertEqual(geometric.manifest.flowImagesHash, reference.manifest.flowImagesHash)
    }
}
