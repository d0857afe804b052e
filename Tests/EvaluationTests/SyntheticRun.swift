import FoldResults
import Tensor
@testable import Evaluation

/// A small synthetic run: variants x seeds x subjects over two source datasets, three classes,
/// predictions drawn so that each variant has its own accuracy, with curves and (optionally) the
/// alternate best-test-epoch rows that are more accurate, as they are in practice.
enum SyntheticRun {
    static func rows(variant: String, seed: Int, accuracy: Double, subjects: Int, salt: UInt64) -> [PredictionRow] {
        var rng = DeterministicRNG(keys: [stableHash(variant), UInt64(seed), salt])
        var rows: [PredictionRow] = []
        for s in 0..<subjects {
            let subject = String(format: "s%02d", s + 1)
            let dataset = s % 3 == 0 ? "SAMM" : (s % 3 == 1 ? "CASME II" : "SMIC-HS")
            for i in 0..<(3 + s % 3) {
                // Labels do not depend on the variant or seed: the same samples everywhere.
                let label = (s + i) % 5 == 0 ? 2 : (s * 7 + i) % 3 == 0 ? 1 : 0
                let correct = rng.nextUnitDouble() < accuracy
                let pred = correct ? label : (label + 1 + rng.below(2)) % 3
                let logits: [Float] = (0..<3).map { $0 == pred ? 2.0 : Float(rng.nextUnitDouble()) }
                rows.append(PredictionRow(variant: variant, seed: seed, fold: subject, subject: subject, dataset: dataset,
                                          sample: "\(subject)_\(i)", label: label, pred: pred, logits: logits))
            }
        }
        return rows
    }

    static func run(variants: [(String, Double)] = [("baseline", 0.55), ("weighted", 0.7)], seeds: [Int] = [1, 2],
                    subjects: Int = 9, alternate: Bool = true) -> RunRecord {
        var main: [PredictionRow] = [], alt: [PredictionRow] = [], curves: [TaskCurve] = []
        for (variant, accuracy) in variants {
            for seed in seeds {
                main += rows(variant: variant, seed: seed, accuracy: accuracy, subjects: subjects, salt: 1)
                alt += rows(variant: variant, seed: seed, accuracy: min(0.95, accuracy + 0.2), subjects: subjects, salt: 2)
                for s in 0..<subjects {
                    let epochs = (1...12).map { e in
                        EpochRecord(epoch: e, trainLoss: 1.1 / Double(e), trainAccuracy: min(1, 0.3 + 0.06 * Double(e)),
                                    testLoss: 1.0 + 0.01 * Double(e), testAccuracy: accuracy - 0.1 + 0.01 * Double(e % 5),
                                    seconds: 0.5)
                    }
                    curves.append(TaskCurve(variant: variant, seed: seed, fold: String(format: "s%02d", s + 1), epochs: epochs,
                                            selectedEpoch: 12, worker: "node\(s % 2):\(1 + s % 2)", seconds: 6))
                }
            }
        }
        return RunRecord(experimentName: "synthetic-demo", configuration: "{\n  \"epochs\": 12,\n  \"note\": \"<test & escape>\"\n}",
                         selection: .final, softwareVersion: "0.1.0-test", classNames: ["negative", "positive", "surprise"],
                         hosts: ["node0 rank 1 (2 cores)", "node1 rank 2 (2 cores)"], wallSeconds: 123.4, rows: main,
                         alternateSelection: alternate ? .bestTestEpoch : nil, alternateRows: alternate ? alt : [],
                         curves: curves)
    }
}
