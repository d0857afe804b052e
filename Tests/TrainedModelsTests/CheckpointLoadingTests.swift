import Dataset
import FoldResults
import Foundation
import HTNet
import Tensor
import TestSupport
import XCTest
@testable import TrainedModels

/// Loading checkpoints back: a reference PyTorch state_dict (Tests/Fixtures/htnet-torch-state-dict,
/// made by scripts/reference/make_state_dict_fixture.py) gives the reference's logits; kept
/// checkpoints round-trip with their metadata; wrong files fail with errors naming the problem.
final class CheckpointLoadingTests: XCTestCase {
    func testAReferenceStateDictGivesTheReferenceLogits() throws {
        let io = try SafeTensorsFile.read(path: try Fixtures.path("htnet-torch-state-dict-io.safetensors"))
        let config = try JSONDecoder().decode(HTNetConfig.self, from: Data(io.metadata["config"]!.utf8))
        let model = try TrainedModel.load(path: try Fixtures.path("htnet-torch-state-dict.safetensors"), config: .htnet(config))
        XCTAssertNil(model.metadata, "a plain state_dict carries no run metadata")
        let inputs = try XCTUnwrap(io["inputs"]), expected = try XCTUnwrap(io["logits"]).floats
        XCTAssertEqual(inputs.shape, [5, 3, 28, 28])
        let logits = Predictor.scores(model, inputs: inputs.floats, inputSide: 28).flatMap { $0 }
        XCTAssertEqual(logits.count, expected.count)
        let worst = zip(logits, expected).map { abs($0 - $1) }.max()!
        // The reference's own float32-vs-float64 error is 4.4e-7 (header); 10x that, rounded up.
        XCTAssertLessThanOrEqual(worst, 5e-6, "max |swift - torch| over the logits")
        // Without the configuration the file cannot be laid out: a named error says what to give.
        XCTAssertThrowsError(try TrainedModel.load(path: try Fixtures.path("htnet-torch-state-dict.safetensors"))) { error in
            XCTAssertTrue("\(error)".contains("--config"), "\(error)")
        }
    }

    func testNamesAndShapesAreCheckedStrictlyBothWays() throws {
        let config = HTNetConfig(dim: 8, heads: 2, blockRepeats: [1, 1, 2])
        let layout = ParameterLayout(config: config)
        let good = KeptCheckpoints.file(parameters: [Float](repeating: 0.5, count: layout.count), layout: layout,
                                        metadata: ["config": String(decoding: try JSONEncoder().encode(config), as: UTF8.self)])
        XCTAssertEqual(try TrainedModel.load(good, source: "good").htnet(for: "test").parameters.count, layout.count)
        var missing = good
        missing.tensors["mlp_head.2.bias"] = nil
        XCTAssertThrowsError(try TrainedModel.load(missing, source: "m.safetensors")) { XCTAssertTrue("\($0)".contains("mlp_head.2.bias"), "\($0)") }
        var extra = good
        extra.tensors["layers.2.0.layers.2.0.norm.g"] = StoredTensor(Tensor(shape: [1, 32, 1, 1], data: .init(repeating: 1, count: 32)))
        XCTAssertThrowsError(try TrainedModel.load(extra, source: "e.safetensors")) {
            XCTAssertTrue("\($0)".contains("'layers.2.0.layers.2.0.norm.g' is not a parameter"), "\($0)")
        }
        var shape = good
        shape.tensors["mlp_head.2.weight"] = StoredTensor(Tensor(shape: [6, 32], data: .init(repeating: 0, count: 192)))
        XCTAssertThrowsError(try TrainedModel.load(shape, source: "s.safetensors")) {
            XCTAssertTrue("\($0)".contains("mlp_head.2.weight") && "\($0)".contains("[6, 32]"), "\($0)")
        }
    }

    /// A diverged or damaged checkpoint (NaN, infinity) is refused with the tensor named, not turned
    /// into NaN probabilities; a damaged file's error names the file once.
    func testNonFiniteWeightsAndDamagedFilesAreRefused() throws {
        let config = HTNetConfig(dim: 8, heads: 2, blockRepeats: [1, 1, 2])
        let layout = ParameterLayout(config: config)
        var parameters = [Float](repeating: 0.5, count: layout.count)
        let slot = layout.slots.first { $0.name == "mlp_head.2.bias" }!
        parameters[slot.offset + 1] = .nan
        let bad = KeptCheckpoints.file(parameters: parameters, layout: layout,
                                       metadata: ["config": String(decoding: try JSONEncoder().encode(config), as: UTF8.self)])
        XCTAssertThrowsError(try TrainedModel.load(bad, source: "nan.safetensors")) {
            XCTAssertEqual("\($0)", "nan.safetensors: tensor 'mlp_head.2.bias' holds NaN or an infinity (element 1): "
                           + "the training that wrote it diverged, or the file is damaged")
        }
        let path = try temporaryDirectory(self) + "/cut.safetensors"
        try bad.encoded().prefix(100).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try TrainedModel.load(path: path)) {
            XCTAssertTrue("\($0)".hasPrefix("\(path): not a safetensors file, or a truncated one"), "\($0)")
            XCTAssertEqual("\($0)".components(separatedBy: path).count, 2, "the path once: \($0)")
        }
    }

    /// A foreign file whose `config` metadata is other JSON (the DDAMFN parity dump describes its
    /// reference there) reads as HTNet defaults; the tensors say otherwise, and the error says so.
    func testAForeignConfigMetadataIsCheckedAgainstTheTensors() throws {
        let path = try Fixtures.path("ddamfn-parity.safetensors")
        XCTAssertThrowsError(try TrainedModel.load(path: path)) {
            XCTAssertTrue("\($0)".hasPrefix("\(path): architecture mismatch: the file's tensors are DDAMFN's (features.*), its metadata 'config' describes HTNet"), "\($0)")
        }
    }

    func testKeptCheckpointsRoundTripWithTheirMetadataAndAreWrittenWhole() throws {
        let directory = try temporaryDirectory(self)
        let store = KeptCheckpoints(runDirectory: directory)
        let config = HTNetConfig(dim: 8, heads: 2, blockRepeats: [1, 1, 1])
        let layout = ParameterLayout(config: config)
        let metadata = CheckpointMetadata(experimentName: "x", experimentIdentity: "0123456789abcdef", variant: "v", seed: 3, fold: "s01",
                                          testSubjects: ["s01"], epoch: 5, selection: .bestTestEpoch, classNames: ["a", "b", "c"],
                                          inputComposition: InputComposition(crop: .reference, imageSize: 28, channels: 3),
                                          model: .htnet(config), training: TrainingConfig(epochs: 9, batchSize: 4), datasetSHA256: "ff",
                                          evaluationBatch: 4)
        let values = (0..<layout.count).map { Float($0 % 97) * 0.01 }
        let path = try store.write(taskID: "v/3/s01", parameters: values, metadata: metadata)
        XCTAssertEqual(path, directory + "/checkpoints/v/3/s01.best-test-epoch.safetensors")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory + "/checkpoints/v/3"), ["s01.best-test-epoch.safetensors"],
                       "no temporary file is left behind")
        let back = try TrainedModel.load(path: path)
        XCTAssertEqual(back.metadata, metadata)
        XCTAssertEqual(try back.htnet(for: "test").parameters, values)
        XCTAssertEqual(back.evaluationBatch, 4)
        XCTAssertFalse(store.isComplete(taskID: "v/3/s01", runSelection: .bestTestEpoch), "the final-epoch file is still missing")
        XCTAssertThrowsError(try store.write(taskID: "v/3/s01", parameters: [1, 2], metadata: metadata)) {
            XCTAssertTrue("\($0)".contains("2 trained values"), "\($0)")
        }
    }
}
