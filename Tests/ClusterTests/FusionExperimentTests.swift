import Dataset
import Foundation
import HTNet
import TestSupport
import XCTest
@testable import Coordination
@testable import Wire

/// Fusion experiments: model.fusion and dataset.features in experiment files, feature files checked
/// before training, per-fold standardisation on the worker, a fused fold through the worker's runner.
final class FusionExperimentTests: XCTestCase {
    /// Row i of a 1-column feature set is i * i; training rows 0, 1, 2 (values 0, 1, 4: mean 5/3,
    /// population sd sqrt(26/9)), test row 3 (value 9) is scaled with the training statistics.
    func testFoldFeaturesUseTrainingStatisticsOnly() {
        let features = HandcraftedFeatures(columns: ["x"], values: [0, 1, 4, 9], source: "memory")
        let (train, test, validation) = FoldTaskRunner.foldFeatures(features, trainIndices: [0, 1, 2], testIndices: [3], validationIndices: [1])
        let sd = (26.0 / 9).squareRoot()
        for (z, x) in zip(train, [0.0, 1, 4]) { XCTAssertEqual(Double(z), (x - 5.0 / 3) / sd, accuracy: 1e-6) }
        XCTAssertEqual(Double(test[0]), (9 - 5.0 / 3) / sd, accuracy: 1e-6)
        XCTAssertEqual(Double(validation[0]), (1 - 5.0 / 3) / sd, accuracy: 1e-6, "validation rows use the training statistics too")
        // A different test value changes nothing about the training rows.
        let other = HandcraftedFeatures(columns: ["x"], values: [0, 1, 4, 1000], source: "memory")
        XCTAssertEqual(FoldTaskRunner.foldFeatures(other, trainIndices: [0, 1, 2], testIndices: [3]).train, train)
    }

    func testFusionKeysParseAndOldExperimentsKeepTheirIdentity() throws {
        let directory = try temporaryDirectory(self)
        try "id,a\n".write(toFile: directory + "/f.csv", atomically: true, encoding: .utf8)
        let text = """
            name: f
            dataset: {source: synthetic, features: f.csv}
            model: {dim: 8, fusion: hadamard, fusion_width: 4}
            variants:
              - {name: none, model: {fusion: none}}
              - {name: late, model: {fusion: late-weighted}}
            """
        let e = try ExperimentFile.parse(text, file: "f.yaml", baseDirectory: directory)
        XCTAssertEqual(e.dataset.features, directory + "/f.csv")
        XCTAssertEqual(e.variants.map { $0.model.fusion }, [FusionKind.none, .lateWeighted])
        XCTAssertEqual(e.variants[1].model.fusionWidth, 4)
        let plain = try ExperimentFile.parse("name: p\ndataset: synthetic\nmodel: {dim: 8}\n", file: "p.yaml")
        XCTAssertFalse(plain.canonicalJSON.contains("fusion"), "no fusion keys in experiments that do not use them")
        XCTAssertFalse(plain.canonicalJSON.contains("features"))
        XCTAssertThrowsError(try ExperimentFile.parse("name: p\ndataset: synthetic\nmodel: {fusion: blend}\n", file: "p.yaml"))
        XCTAssertThrowsError(try ExperimentFile.parse("name: p\ndataset: {source: synthetic, features: nowhere.csv}\n", file: "p.yaml",
                                                      baseDirectory: directory)) { error in
            XCTAssertTrue("\(error)".contains("dataset.features"), "\(error)")
        }
    }

    /// A feature file without a row for some sample stops the run while the dataset is prepared.
    func testBadFeatureFileFailsWhileTheDatasetIsPrepared() throws {
        let directory = try temporaryDirectory(self)
        try "id,a\nnobody.png,1\n".write(toFile: directory + "/f.csv", atomically: true, encoding: .utf8)
        let spec = DatasetSpec(kind: .synthetic, seed: 1, subjects: 2, samples: 6, features: directory + "/f.csv")
        XCTAssertThrowsError(try DatasetPreparation.load(spec, outDirectory: directory + "/out")) { error in
            XCTAssertTrue("\(error)".hasPrefix(directory + "/f.csv: no row for 18 of the dataset's 18 samples"), "\(error)")
        }
    }

    /// The smile data with its features, a fused fold trained by the worker's runner (features
    /// shipped in the feature cache, as to a real worker), and the variant check without features.
    func testFusedFoldTrainsFromTheShippedCache() throws {
        let directory = try temporaryDirectory(self)
        let spec = DatasetSpec(kind: .syntheticSmiles, seed: 2, subjects: 4, samples: 32)
        let prepared = try DatasetPreparation.load(spec, outDirectory: directory)
        XCTAssertEqual(prepared.classNames, ["genuine", "posed"])
        XCTAssertEqual(prepared.handcrafted?.columns.count, 11)
        let shipped = try FeatureCache.decode(try FeatureCache.encode(prepared), source: "memory")
        XCTAssertEqual(shipped.handcrafted, prepared.handcrafted)
        let model = HTNetConfig(dim: 4, heads: 2, numHierarchies: 2, blockRepeats: [1, 1], mlpMult: 2, numClasses: 2)
        var fused = model
        fused.fusion = .gated
        fused.fusionWidth = 4
        let test = shipped.indices(ofSubject: shipped.subjects[0])
        let train = shipped.samples.indices.filter { !test.contains($0) }
        let a = TaskAssignment(taskID: "t", model: fused, training: TrainingConfig(epochs: 2, batchSize: 8, learningRate: 1e-3),
                               seedKeys: [1, 2], trainIndices: train, testIndices: test)
        guard case let .success(result) = FoldTaskRunner.train(a, dataset: shipped, worker: "w", progress: { _ in }) else {
            return XCTFail("the fused fold failed")
        }
        XCTAssertEqual(result.outcome.finalLogits.count, test.count)
        var noFeatures = shipped
        noFeatures.handcrafted = nil
        guard case let .failure(failure) = FoldTaskRunner.train(a, dataset: noFeatures, worker: "w", progress: { _ in }) else {
            return XCTFail("a fused fold without features must fail")
        }
        XCTAssertTrue(failure.message.contains("needs handcrafted features"), failure.message)
    }
}
