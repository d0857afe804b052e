import Dataset
import Foundation
import Tensor
import TestSupport
import XCTest
@testable import Preprocessing

/// The genuine/posed smiles are built so that each source carries part of the label: the Bayes
/// accuracies in SyntheticSmiles' doc comment (scripts/reference/smile_bayes_accuracy.py: images
/// alone 0.750, features alone 0.750, both 0.964) are checked here on the generator's own draws.
final class SyntheticSmilesTests: XCTestCase {
    /// The features' estimate of b: the precision-weighted mean of the three columns linear in b
    /// (equal weights, since each has slope / noise sd 4).
    func dynamicsEstimate(_ row: [Float]) -> Double {
        let c = SyntheticSmiles.columns
        let onset = Double(row[c.firstIndex(of: "lip_onset_duration")!])
        let offset = Double(row[c.firstIndex(of: "lip_offset_duration")!])
        let ratio = Double(row[c.firstIndex(of: "lip_lr_amplitude_ratio")!])
        return ((0.50 - onset) / 0.08 + (0.80 - offset) / 0.12 + (ratio - 1.03) / 0.03) / 3
    }

    func testBayesRulesReachTheDocumentedAccuracies() {
        let n = 6000
        var rng = DeterministicRNG(keys: [9, 9])
        var images = 0, features = 0, both = 0
        let lambda = SyntheticSmiles.imageWeight, se2 = 1.0 / 48
        for i in 0..<n {
            let id = "s\(i % 20)_clip\(i) .png"
            let s: Double = rng.nextUnitDouble() < 0.5 ? -1 : 1
            let b = SyntheticSmiles.dynamicsFactor(id: id, seed: 3)
            let y = SyntheticSmiles.label(imageFactor: s, dynamicsFactor: b)
            let bh = dynamicsEstimate(SyntheticSmiles.dynamics(id: id, seed: 3))
            images += (s > 0 ? 1 : 0) == y ? 1 : 0
            features += (bh > 0 ? 1 : 0) == y ? 1 : 0
            both += (bh > -lambda * s * (1 + se2) ? 1 : 0) == y ? 1 : 0
        }
        // Binomial sd at n = 6000: 0.0056 (0.75), 0.0024 (0.964); tolerances are about 4 sd.
        XCTAssertEqual(Double(images) / Double(n), 0.750, accuracy: 0.022)
        XCTAssertEqual(Double(features) / Double(n), 0.750, accuracy: 0.022)
        XCTAssertEqual(Double(both) / Double(n), 0.964, accuracy: 0.01)
    }

    /// The written dataset: labels follow lambda * s + b > 0 from the truth file, the flow images
    /// carry s (the composite's motion class), and the features are those of `dynamics`.
    func testGeneratedLabelsFollowBothFactors() throws {
        let directory = try temporaryDirectory(self) + "/smiles"
        var configuration = SyntheticSmiles.Configuration()
        configuration.subjects = 4
        configuration.samples = 40
        try SyntheticSmiles.generate(into: directory, seed: 4, configuration: configuration)
        let data = try CompositeLoader(directory: directory, options: LoadOptions(classNames: SyntheticSmiles.classNames)).load()
        let truth = try CSVTable.read(path: directory + "/" + SyntheticSmiles.factorFileName)
        XCTAssertEqual(truth.rows.count, 40)
        let byID = Dictionary(uniqueKeysWithValues: truth.rows.map { ($0.fields[0], (Double($0.fields[1])!, Double($0.fields[2])!)) })
        var imageAgreement = 0
        for sample in data.samples {
            let (s, b) = try XCTUnwrap(byID[sample.id])
            XCTAssertEqual(b, SyntheticSmiles.dynamicsFactor(id: sample.id, seed: 4))
            XCTAssertEqual(sample.label, SyntheticSmiles.lambdaRule(s: s, b: b), sample.id)
            imageAgreement += (s > 0 ? 1 : 0) == sample.label ? 1 : 0
        }
        XCTAssertLessThan(imageAgreement, 40, "some labels go against the image factor")
        XCTAssertEqual(Set(truth.rows.map { $0.fields[1] }), ["-1", "1"])
        let features = try HandcraftedFeatureFile.read(path: directory + "/" + SyntheticSmiles.featureFileName, samples: data.samples)
        XCTAssertEqual(features.columns, SyntheticSmiles.columns)
        XCTAssertEqual(Array(features.values[0..<11]), SyntheticSmiles.dynamics(id: data.samples[0].id, seed: 4))
    }
}

extension SyntheticSmiles {
    /// posed iff lambda * s + b > 0, written out here (not through `label`) as the test's own statement.
    static func lambdaRule(s: Double, b: Double) -> Int { 0.6744897501960817 * s + b > 0 ? 1 : 0 }
}
