import Dataset
import Preprocessing
import Foundation
import TestSupport
import XCTest

/// The synthetic composite: deterministic bytes, the reference layout (it loads through the same
/// loader), the promised shape (sources, subjects, imbalance), and a difficulty that a simple
/// classifier can learn but not master.
final class SyntheticCompositeTests: XCTestCase {
    static var cached: ComposedDataset?

    func synthetic() throws -> ComposedDataset {
        if let cached = Self.cached { return cached }
        let directory = NSTemporaryDirectory() + "dataset-tests-synth-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try SyntheticComposite.generate(into: directory, seed: 1)
        let loaded = try CompositeLoader(directory: directory).load()
        Self.cached = loaded
        return loaded
    }

    func testSameSeedGivesIdenticalBytes() throws {
        let first = try temporaryDirectory(self) + "/synth", second = try temporaryDirectory(self) + "/synth"
        let other = try temporaryDirectory(self) + "/synth"
        try SyntheticComposite.generate(into: first, seed: 7)
        try SyntheticComposite.generate(into: second, seed: 7)
        try SyntheticComposite.generate(into: other, seed: 8)
        let files = try XCTUnwrap(FileManager.default.subpathsOfDirectory(atPath: first)).sorted()
        XCTAssertEqual(files, try FileManager.default.subpathsOfDirectory(atPath: second).sorted())
        XCTAssertGreaterThan(files.count, 600)
        var differ = 0
        for file in files where !file.hasSuffix("/") {
            var isDirectory: ObjCBool = false
            FileManager.default.fileExists(atPath: first + "/" + file, isDirectory: &isDirectory)
            if isDirectory.boolValue { continue }
            let a = FileManager.default.contents(atPath: first + "/" + file)
            XCTAssertNotNil(a, file)
            XCTAssertEqual(a, FileManager.default.contents(atPath: second + "/" + file), "\(file) differs between two runs with seed 7")
            if a != FileManager.default.contents(atPath: other + "/" + file) { differ += 1 }
        }
        XCTAssertGreaterThan(differ, 300, "another seed must give other data")
    }

    func testRefusesANonEmptyFolder() throws {
        let directory = try temporaryDirectory(self)
        FileManager.default.createFile(atPath: directory + "/keep.txt", contents: Data())
        XCTAssertThrowsError(try SyntheticComposite.generate(into: directory)) { error in
            XCTAssertEqual("\(error)", "\(directory): output folder is not empty; choose a new folder or remove it first")
        }
    }

    func testShapeOfTheComposite() throws {
        let data = try synthetic()
        XCTAssertEqual(data.samples.count, 300)
        XCTAssertEqual(data.subjects.count, 30)
        XCTAssertEqual(data.datasetNames, ["synth_a", "synth_b", "synth_c"])
        for name in data.datasetNames {
            let counts = (0..<3).map { c in data.samples.filter { $0.dataset == name && $0.label == c }.count }
            XCTAssertEqual(counts, [57, 24, 19], name)
        }
        let perSubject = data.subjects.map { data.indices(ofSubject: $0).count }
        XCTAssertGreaterThanOrEqual(perSubject.min()!, 4)
        XCTAssertGreaterThan(perSubject.max()!, perSubject.min()! + 3, "subjects should differ in size")
        XCTAssertGreaterThan(data.manifest.landmarksFallbackInFile, 0)
        XCTAssertGreaterThan(data.manifest.landmarksDetected, data.manifest.landmarksFallbackInFile)
    }

    /// Nearest class mean, leave one subject out, on the composed inputs: an independent, simple
    /// learner. The data must be learnable (well above the 1/3 of chance) yet far from perfect.
    func testNearestClassMeanLearnsButNotPerfectly() throws {
        let data = try synthetic()
        let uf1 = NearestClassMean.losoMacroF1(data)
        print("synthetic composite, nearest-class-mean LOSO UF1 = \(uf1)")
        XCTAssertGreaterThan(uf1, 0.45)
        XCTAssertLessThan(uf1, 0.9)
    }
}
