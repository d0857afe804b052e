import Foundation
import TestSupport
import XCTest
@testable import Coordination

/// Augmented training (every transform, mixup included, AdamW and a cosine schedule) gives the same
/// predictions with 1 and 2 workers: every draw is keyed by the task, the epoch and the sample.
/// --threads 1 as in EndToEndTests (OpenBLAS may differ in the last bits between thread counts).
final class AugmentationDeterminismTests: XCTestCase {
    func testOneAndTwoWorkersGiveIdenticalPredictions() throws {
        try MPIJob.requireMPI()
        let dir = try temporaryDirectory(self)
        try """
            name: aug
            dataset: {source: synthetic, seed: 6, subjects: 2, samples: 12}
            protocol: {kfold: 3, stratified: true}
            epoch_selection: validation
            seeds: [1]
            model: {dim: 8, heads: 2, block_repeats: [1, 1, 1]}
            training:
              epochs: 3
              batch_size: 8
              lr: 0.002
              weight_decay: 0.05
              lr_schedule: {kind: cosine, warmup_epochs: 1}
              augment:
                affine: {probability: 0.8}
                brightness_contrast: {probability: 0.8}
                cutout: {probability: 0.5, size: 5}
                mixup: {probability: 0.5, alpha: 0.4}
            """.write(toFile: dir + "/aug.yaml", atomically: true, encoding: .utf8)
        var predictions: [Data] = []
        for workers in [1, 2] {
            let job = try MPIJob.run(["run", "aug.yaml", "--out", "w\(workers)", "--threads", "1"], workers: workers, in: dir)
            XCTAssertEqual(job.status, 0, job.output)
            let run = try JournalReader.runRecord(try JournalReader.read(path: "\(dir)/w\(workers)/journal.jsonl"))
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            predictions.append(try encoder.encode([run.rows, run.alternateRows] + (run.otherSelections ?? []).map(\.rows)))
        }
        XCTAssertEqual(predictions[0], predictions[1])
        let report = try String(contentsOfFile: dir + "/w2/report.md", encoding: .utf8)
        XCTAssertTrue(report.contains(#"augmentation: {"affine":{"probability":0.8"#), "the augmentation is stated in the report")
        XCTAssertTrue(report.contains("decoupled weight decay 0.05"))
        XCTAssertTrue(report.contains(#"lr schedule per epoch: {"gamma":0.1,"kind":"cosine""#))
    }
}
