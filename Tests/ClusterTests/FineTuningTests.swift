import Foundation
import TestSupport
import XCTest
@testable import Coordination

/// `training.init_from`: a model kept by a 3-class micro-expression run is fine-tuned into a 6-class
/// head (`classes:`; the class head drawn fresh, everything else from the checkpoint), in-process; a checkpoint of
/// another architecture is refused before any training, naming the tensor.
final class FineTuningTests: CoordinatorCommandTestCase {
    func testAThreeClassCheckpointFineTunesIntoASixClassHead() throws {
        try """
        name: pretrain
        dataset: {source: synthetic, seed: 4, subjects: 2, samples: 12}
        seeds: [1]
        model: {dim: 8, heads: 2, block_repeats: [1, 1, 1]}
        training: {epochs: 3, batch_size: 16, lr: 0.003}
        keep: checkpoints
        """.write(toFile: directory + "/pretrain.yaml", atomically: true, encoding: .utf8)
        let pre = try coordinator(["run", "pretrain.yaml", "--out", "pre", "--threads", "1"])
        XCTAssertEqual(pre.status, 0, pre.output)

        // A 6-grade task (`classes:`), synthetic data generated with six classes.
        func experiment(_ name: String, initFrom: String, dim: Int = 8) -> String {
            """
            name: \(name)
            dataset: {source: synthetic, seed: 6, subjects: 2, samples: 24}
            classes: [I, II, III, IV, V, VI]
            protocol: {kfold: 2}
            seeds: [1]
            model: {dim: \(dim), heads: 2, block_repeats: [1, 1, 1]}
            training: {epochs: 2, batch_size: 16, lr: 0.001, init_from: \(initFrom)}
            """
        }
        try experiment("finetune", initFrom: "pre/checkpoints/base/1/a01.safetensors").write(toFile: directory + "/finetune.yaml", atomically: true, encoding: .utf8)
        let tuned = try coordinator(["run", "finetune.yaml", "--out", "tuned", "--threads", "1"])
        XCTAssertEqual(tuned.status, 0, tuned.output)
        XCTAssertTrue(tuned.output.contains("starts from") && tuned.output.contains("mlp_head.2.weight, mlp_head.2.bias"), tuned.output)
        let journal = try JournalReader.read(path: directory + "/tuned/journal.jsonl")
        XCTAssertEqual(journal.tasks.count, 2)
        XCTAssertTrue(journal.tasks.values.allSatisfy { $0.samples.allSatisfy { $0.finalLogits.count == 6 } })
        XCTAssertTrue(journal.header.configuration.contains("init_from"), "the experiment records where it started")

        // Another architecture (dim 16) is refused before training, naming the tensor and both shapes.
        try experiment("wrong", initFrom: "pre/checkpoints/base/1/a01.safetensors", dim: 16).write(toFile: directory + "/wrong.yaml", atomically: true, encoding: .utf8)
        let wrong = try coordinator(["run", "wrong.yaml", "--out", "wrong", "--threads", "1"])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertTrue(wrong.output.contains("to_patch_embedding.1.weight") && wrong.output.contains("only the head above the embedding may differ"), wrong.output)
        // A missing file is an experiment-file problem naming the field.
        try experiment("missing", initFrom: "nowhere.safetensors").write(toFile: directory + "/missing.yaml", atomically: true, encoding: .utf8)
        let missing = try coordinator(["run", "missing.yaml", "--out", "missing"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.output.contains("training.init_from"), missing.output)
    }
}
