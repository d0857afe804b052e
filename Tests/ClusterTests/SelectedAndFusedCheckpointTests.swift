import Foundation
import XCTest

/// `keep: checkpoints` under `epoch_selection: validation`, with a fused variant (`model.fusion`)
/// beside the reference model: every fold keeps its final and its validation-selected weights, and
/// `predict --per-fold` reproduces the run's predictions.csv rows bit for bit under both rules; a
/// fused checkpoint carries its feature columns and standardisation, so predict and explain feed
/// new samples' features scaled as in training, and a features file with other columns is refused.
final class SelectedAndFusedCheckpointTests: CoordinatorCommandTestCase {
    static let experimentText = """
        name: fused-keep
        dataset: {source: synthetic-smiles, seed: 1, subjects: 6, samples: 48}
        protocol: {kfold: 3}
        classes: [genuine, posed]
        seeds: [1]
        model: {dim: 8, heads: 2, block_repeats: [1, 1, 1], fusion_width: 16}
        training: {epochs: 3, batch_size: 16, lr: 0.002}
        epoch_selection: validation
        keep: checkpoints
        variants:
          - {name: none, model: {fusion: none}}
          - {name: gated, model: {fusion: gated}}
        """

    override func setUpWithError() throws {
        try super.setUpWithError()
        try Self.experimentText.write(toFile: directory + "/fused.yaml", atomically: true, encoding: .utf8)
    }

    func testValidationAndFusedCheckpointsPredictTheRunsOwnRows() throws {
        let run = try coordinator(["run", "fused.yaml", "--out", "out", "--threads", "1"])
        XCTAssertEqual(run.status, 0, run.output)
        for variant in ["none", "gated"] {
            for fold in ["k1", "k2", "k3"] {
                for suffix in [".safetensors", ".validation.safetensors"] {
                    XCTAssertTrue(FileManager.default.fileExists(atPath: "\(directory!)/out/checkpoints/\(variant)/1/\(fold)\(suffix)"), "\(variant) \(fold)\(suffix)")
                }
            }
        }
        for selection in ["final", "validation"] {
            let predicted = try coordinator(["predict", "--run", "out", "--per-fold", "--epoch", selection, "--threads", "1", "--out", "\(selection).csv"])
            XCTAssertEqual(predicted.status, 0, predicted.output)
            let mine = try MPIJob.predictionLines(directory + "/\(selection).csv", selection: selection)
            XCTAssertEqual(mine.count, 1 + 2 * 48, "every held-out sample of both variants")
            XCTAssertEqual(mine, try MPIJob.predictionLines(directory + "/out/predictions.csv", selection: selection),
                           "\(selection): predict --per-fold gives the run's rows, logits bit for bit")
        }
        // New data without features: refused, naming what is missing; with the features file it predicts.
        let copy = directory + "/nofeatures"
        try FileManager.default.copyItem(atPath: directory + "/out/data", toPath: copy)
        try FileManager.default.removeItem(atPath: copy + "/features.csv")
        let fused = "out/checkpoints/gated/1/k1.safetensors"
        let missing = try coordinator(["predict", "--checkpoint", fused, "--data", "nofeatures"])
        XCTAssertEqual(missing.status, 1, missing.output)
        XCTAssertTrue(missing.output.contains("the dataset has none (give its features.csv with --features)"), missing.output)
        // One column fewer: named.
        let text = try String(contentsOfFile: directory + "/out/data/features.csv", encoding: .utf8)
        let short = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).dropLast().joined(separator: ",") }
        try (short.joined(separator: "\n") + "\n").write(toFile: directory + "/short.csv", atomically: true, encoding: .utf8)
        let fewer = try coordinator(["predict", "--checkpoint", fused, "--data", "nofeatures", "--features", "short.csv"])
        XCTAssertEqual(fewer.status, 1, fewer.output)
        XCTAssertTrue(fewer.output.contains("(missing: [\"eye_onset_amplitude\"])"), fewer.output)
        let given = try coordinator(["predict", "--checkpoint", fused, "--data", "nofeatures", "--features", "out/data/features.csv",
                                     "--threads", "1", "--out", "given.csv"])
        XCTAssertEqual(given.status, 0, given.output)
        // Its rows for fold k1's own samples are the run's final-epoch logits (to float rounding: the
        // samples meet the BLAS kernels in other chunks; a feature scaled otherwise moves them far more).
        let runRows = try MPIJob.predictionLines(directory + "/out/predictions.csv", selection: "final").dropFirst()
            .filter { $0.split(separator: ",")[2] == "gated" && $0.split(separator: ",")[4] == "k1" }
        let givenRows = try String(contentsOfFile: directory + "/given.csv", encoding: .utf8).split(separator: "\n").dropFirst()
        var logits: [String: [Float]] = [:]
        for row in givenRows {
            let cells = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            logits[cells[0]] = cells.suffix(2).compactMap(Float.init)
        }
        XCTAssertEqual(runRows.count, 16)
        for row in runRows {
            let cells = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let expected = cells.suffix(2).compactMap(Float.init), mine = logits[cells[7]] ?? []
            XCTAssertEqual(mine.count, 2, "sample \(cells[7])")
            for (a, b) in zip(mine, expected) { XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b)), "sample \(cells[7])") }
        }
        // The run's models on new data: an ensemble is one variant's (here they even differ in shape:
        // gated fuses, none does not), so without --variant the error names them; one variant's fold
        // models are averaged.
        let bothVariants = try coordinator(["predict", "--run", "out", "--data", "nofeatures", "--features", "out/data/features.csv"])
        XCTAssertEqual(bothVariants.status, 64, bothVariants.output)
        XCTAssertTrue(bothVariants.output.contains("kept models of 2 variants (none, gated)"), bothVariants.output)
        XCTAssertTrue(bothVariants.output.contains("choose it with --variant"), bothVariants.output)
        // Checkpoints of both, given by hand: the mismatch error shows the fusion.
        let mixed = try coordinator(["predict", "--checkpoint", "out/checkpoints/none/1/k1.safetensors",
                                     "--checkpoint", "out/checkpoints/gated/1/k1.safetensors", "--data", "nofeatures"])
        XCTAssertEqual(mixed.status, 1, mixed.output)
        XCTAssertTrue(mixed.output.contains("fusion gated (width 16)"), mixed.output)
        let gated = try coordinator(["predict", "--run", "out", "--variant", "gated", "--data", "nofeatures",
                                     "--features", "out/data/features.csv", "--threads", "1", "--out", "gated.csv"])
        XCTAssertEqual(gated.status, 0, gated.output)
        XCTAssertTrue(gated.output.contains("48 samples, 3 model(s) averaged by mean probability"), gated.output)
        // --per-fold with --variant: that variant's rows of predictions.csv, and only those.
        let gatedPerFold = try coordinator(["predict", "--run", "out", "--variant", "gated", "--per-fold", "--threads", "1", "--out", "gated-per-fold.csv"])
        XCTAssertEqual(gatedPerFold.status, 0, gatedPerFold.output)
        let runFinal = try MPIJob.predictionLines(directory + "/out/predictions.csv", selection: "final")
        XCTAssertEqual(try MPIJob.predictionLines(directory + "/gated-per-fold.csv", selection: "final"),
                       [runFinal[0]] + runFinal.dropFirst().filter { $0.split(separator: ",")[2] == "gated" })
        let unknown = try coordinator(["predict", "--run", "out", "--variant", "max", "--per-fold"])
        XCTAssertEqual(unknown.status, 1, unknown.output)
        XCTAssertTrue(unknown.output.contains("no variant 'max' (the run's variants: none, gated)"), unknown.output)
        // explain on a fused model: the saliency of the image with the sample's features held fixed.
        let explained = try coordinator(["explain", "--run", "out", "--variant", "gated", "--sample", "s01_clip01 .png", "--out", "explain"])
        XCTAssertEqual(explained.status, 0, explained.output)
        XCTAssertTrue(FileManager.default.fileExists(atPath: directory + "/explain/s01_clip01_.png.explanation.json"), explained.output)
    }
}
