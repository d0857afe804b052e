import Evaluation
import Foundation
import TestSupport
import XCTest

/// `coordinator predict` on a run folder: per fold it reproduces the run's own predictions.csv rows
/// exactly, under both epoch rules; the ensemble gives probabilities; a run without kept
/// checkpoints and a checkpoint without a configuration fail with errors that say what to do.
final class PredictCommandTests: CoordinatorCommandTestCase {
    static let experimentText = """
        name: predict
        dataset: {source: synthetic, seed: 9, subjects: 2, samples: 12}
        protocol: loso
        seeds: [1, 2]
        model: {dim: 8, heads: 2, block_repeats: [1, 1, 1]}
        training: {epochs: 4, batch_size: 8, lr: 0.003}
        epoch_selection: best-test-epoch
        variants:
          - name: a
          - {name: b, training: {loss: weighted-cross-entropy}}
        keep: checkpoints
        """

    override func setUpWithError() throws {
        try super.setUpWithError()
        try Self.experimentText.write(toFile: directory + "/predict.yaml", atomically: true, encoding: .utf8)
        try (Self.experimentText.replacingOccurrences(of: "keep: checkpoints", with: "")).write(toFile: directory + "/nokeep.yaml", atomically: true, encoding: .utf8)
    }

    func testPerFoldPredictionsReproduceTheRunsPredictionsExactly() throws {
        let run = try coordinator(["run", "predict.yaml", "--out", "out", "--threads", "1"])
        XCTAssertEqual(run.status, 0, run.output)
        // The report's gallery: 3 classes x up to 2 correct and 2 wrong samples, input and saliency
        // images (seq_len 1 here, so no attention images, and the report says why).
        let report = try String(contentsOfFile: directory + "/out/report.html", encoding: .utf8)
        XCTAssertTrue(report.contains("id=\"gallery\"") && report.contains("seq_len 1"))
        let images = try GalleryRender.decodedImages(report: directory + "/out/report.html", scratch: directory)
        XCTAssertGreaterThanOrEqual(images.count, 2 * 3, "at least one figure per class")
        for image in images {
            XCTAssertEqual(image[0] as? Bool, true, "\(image)")
            XCTAssertEqual(image[1] as? Int, 28, "Chromium decoded the inline PNG: \(image)")
            XCTAssertEqual(image[2] as? Int, 28)
        }
        XCTAssertEqual(Set(images.compactMap { $0[3] as? String }), ["input", "saliency"])
        for selection in ["final", "best-test-epoch"] {
            let predicted = try coordinator(["predict", "--run", "out", "--per-fold", "--epoch", selection, "--threads", "1", "--out", "\(selection).csv"])
            XCTAssertEqual(predicted.status, 0, predicted.output)
            let mine = try MPIJob.predictionLines(directory + "/\(selection).csv", selection: selection)
            XCTAssertEqual(mine.count, 1 + 2 * 2 * 36, "every held-out sample of 2 variants x 2 seeds")
            XCTAssertEqual(mine, try MPIJob.predictionLines(directory + "/out/predictions.csv", selection: selection),
                           "\(selection): predict --per-fold gives the run's predictions.csv rows, logits bit for bit")
        }
        // An ensemble is one variant's: without --variant a run of two is refused, naming both.
        let unnamed = try coordinator(["predict", "--run", "out"])
        XCTAssertEqual(unnamed.status, 64, unnamed.output)
        XCTAssertTrue(unnamed.output.contains("kept models of 2 variants (a, b)"), unnamed.output)
        // The ensemble of variant a's fold models (2 seeds x 6 folds): probabilities per sample that sum to 1.
        let ensemble = try coordinator(["predict", "--run", "out", "--variant", "a", "--out", "predicted/ensemble.csv"])
        XCTAssertEqual(ensemble.status, 0, ensemble.output)
        XCTAssertTrue(ensemble.output.contains("12 model(s) averaged by mean probability"), ensemble.output)
        let rows = try String(contentsOfFile: directory + "/predicted/ensemble.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(rows[0], "sample,subject,dataset,label,fold,prediction,p_negative,p_positive,p_surprise")
        XCTAssertEqual(rows.count, 1 + 36)
        for row in rows.dropFirst() {
            let cells = row.split(separator: ",")
            let p = cells.suffix(3).compactMap { Double($0) }
            XCTAssertEqual(p.reduce(0, +), 1, accuracy: 1e-12)
            XCTAssertEqual(Int(cells[5]), p.indices.max { p[$0] < p[$1] })
        }
        // One fold's checkpoint alone, on the run's data: one model, probabilities and logits.
        let single = try coordinator(["predict", "--checkpoint", "out/checkpoints/a/1/a01.safetensors", "--data", "out/data", "--out", "one.csv"])
        XCTAssertEqual(single.status, 0, single.output)
        XCTAssertTrue(try String(contentsOfFile: directory + "/one.csv", encoding: .utf8).hasPrefix(
            "sample,subject,dataset,label,fold,prediction,p_negative,p_positive,p_surprise,logit_negative,logit_positive,logit_surprise\n"))
        // Models of different configurations are not averaged.
        let mixed = try coordinator(["predict", "--checkpoint", "out/checkpoints/a/1/a01.safetensors",
                                     "--checkpoint", try Fixtures.path("htnet-torch-state-dict.safetensors"),
                                     "--config", "{\"dim\": 8, \"heads\": 2, \"block_repeats\": [1, 1, 2]}", "--data", "out/data"])
        XCTAssertNotEqual(mixed.status, 0)
        XCTAssertTrue(mixed.output.contains("config mismatch"), mixed.output)
    }

    func testARunWithoutKeptCheckpointsAndAStateDictWithoutConfigAreNamedErrors() throws {
        let run = try coordinator(["run", "nokeep.yaml", "--out", "nokeep", "--threads", "1"])
        XCTAssertEqual(run.status, 0, run.output)
        let none = try coordinator(["predict", "--run", "nokeep", "--per-fold"])
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.output.contains("keep: checkpoints"), none.output)
        let bare = try coordinator(["predict", "--checkpoint", try Fixtures.path("htnet-torch-state-dict.safetensors"), "--data", "nokeep/data"])
        XCTAssertEqual(bare.status, 1)
        XCTAssertTrue(bare.output.contains("--config"), bare.output)
        // With its configuration the reference state_dict predicts (3 classes, as the data).
        let given = try coordinator(["predict", "--checkpoint", try Fixtures.path("htnet-torch-state-dict.safetensors"),
                                     "--config", "{\"dim\": 8, \"heads\": 2, \"block_repeats\": [1, 1, 2]}", "--data", "nokeep/data"])
        XCTAssertEqual(given.status, 0, given.output)
    }

    /// A run folder with one fold's checkpoint gone: predict refuses rather than average the rest
    /// (or leave that fold's rows out); explain names an unknown variant; plan checks init_from as
    /// run does, so a damaged starting checkpoint is found before the run.
    func testMissingCheckpointsUnknownVariantsAndDamagedStartsAreNamedErrors() throws {
        let run = try coordinator(["run", "predict.yaml", "--out", "kept", "--threads", "1"])
        XCTAssertEqual(run.status, 0, run.output)
        let gone = directory + "/kept/checkpoints/b/2/c02.best-test-epoch.safetensors"
        let finalGone = directory + "/kept/checkpoints/b/2/c02.safetensors"
        let copy = directory + "/start.safetensors"
        try FileManager.default.copyItem(atPath: finalGone, toPath: copy)
        try FileManager.default.removeItem(atPath: finalGone)
        for arguments in [["predict", "--run", "kept"], ["predict", "--run", "kept", "--per-fold"]] {
            let result = try coordinator(arguments)
            XCTAssertEqual(result.status, 1, result.output)
            XCTAssertTrue(result.output.contains("1 of the 24 journalled tasks have no final checkpoint, e.g. task b/2/c02: kept/checkpoints/b/2/c02.safetensors is missing"), result.output)
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: gone), "the other epoch rule's checkpoints are all there")
        let other = try coordinator(["predict", "--run", "kept", "--variant", "b", "--epoch", "best-test-epoch"])
        XCTAssertEqual(other.status, 0, other.output)

        let explain = try coordinator(["explain", "--run", "kept", "--variant", "c", "--sample", "a01_clip01 .png", "--out", "ex"])
        XCTAssertNotEqual(explain.status, 0)
        XCTAssertTrue(explain.output.contains("--variant c: kept has no such variant (it has: a, b)"), explain.output)

        let bytes = try Data(contentsOf: URL(fileURLWithPath: copy))
        try bytes.prefix(bytes.count - 10).write(to: URL(fileURLWithPath: copy))
        try (Self.experimentText.replacingOccurrences(of: "keep: checkpoints", with: "")
            .replacingOccurrences(of: "lr: 0.003}", with: "lr: 0.003, init_from: start.safetensors}"))
            .write(toFile: directory + "/start.yaml", atomically: true, encoding: .utf8)
        let plan = try coordinator(["plan", "start.yaml", "--out", "start"])
        XCTAssertEqual(plan.status, 1, plan.output)
        XCTAssertTrue(plan.output.contains("init_from of variant a: tensor '"), plan.output)
        XCTAssertTrue(plan.output.contains("the file is truncated"), plan.output)
    }
}

/// report.html's explanation gallery, opened in headless Chromium: every inline PNG decodes to the
/// 28x28 composed input size. Skips where Chromium is absent.
enum GalleryRender {
    static let probe = """
    <script>
    window.addEventListener('load', () => {
      const imgs = [...document.querySelectorAll('#gallery ~ div img')].map(i => [i.complete, i.naturalWidth, i.naturalHeight, i.alt]);
      const pre = document.createElement('pre');
      pre.id = '__probe';
      pre.textContent = JSON.stringify(imgs);
      document.body.appendChild(pre);
    });
    </script>
    """

    /// [complete, naturalWidth, naturalHeight, alt] of each gallery image, as Chromium decoded them.
    static func decodedImages(report: String, scratch: String) throws -> [[Any]] {
        guard let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
            .first(where: FileManager.default.isExecutableFile(atPath:)) else { throw XCTSkip("no Chromium: the gallery render check needs it") }
        let html = try String(contentsOfFile: report, encoding: .utf8)
        let path = scratch + "/probed.html"
        try html.replacingOccurrences(of: "<head>", with: "<head>" + probe).write(toFile: path, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(scratch)/profile",
                             "--virtual-time-budget=5000", "--dump-dom", "file://" + path]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        let dom = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard let start = dom.range(of: "<pre id=\"__probe\">"), let end = dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex) else {
            XCTFail("Chromium printed no probe:\n\(dom.prefix(500))")
            return []
        }
        let json = String(dom[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "&quot;", with: "\"")
        return try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[Any]] ?? []
    }
}
