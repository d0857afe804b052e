import Foundation
import TestSupport
import XCTest

/// Where a kept DDAMFN model looks, end to end: the run's report carries the explanation gallery
/// (face, saliency and M per figure, 112x112 PNGs that Chromium decodes), `report OUT` redraws it,
/// and `explain --run` writes the face, saliency, one overlay per head, M and a JSON whose logits
/// are the run's own for that sample.
final class DDAMFNExplainCommandTests: CoordinatorCommandTestCase {
    func testGalleryAndExplainForKeptDDAMFNModels() throws {
        try DDAMFNProductsTests.experimentText.write(toFile: directory + "/fer.yaml", atomically: true, encoding: .utf8)
        let run = try coordinator(["run", "fer.yaml", "--out", "out", "--threads", "1"])
        XCTAssertEqual(run.status, 0, run.output)
        XCTAssertFalse(run.output.contains("no explanation gallery"), run.output)
        let report = directory + "/out/report.html"
        var images = try GalleryRender.decodedImages(report: report, scratch: directory)
        XCTAssertGreaterThanOrEqual(images.count, 3 * 3, "at least one figure (face, saliency, M) per class")
        XCTAssertEqual(images.count % 3, 0)
        for image in images {
            XCTAssertEqual(image[0] as? Bool, true, "\(image)")
            XCTAssertEqual(image[1] as? Int, 112, "Chromium decoded the inline PNG: \(image)")
            XCTAssertEqual(image[2] as? Int, 112)
        }
        XCTAssertEqual(Set(images.compactMap { $0[3] as? String }), ["face", "saliency", "M"])
        // `report OUT` draws the same gallery again from the journal and the kept models.
        let drawn = try String(contentsOfFile: report, encoding: .utf8)
        try FileManager.default.removeItem(atPath: report)
        let redrawn = try coordinator(["report", "out"])
        XCTAssertEqual(redrawn.status, 0, redrawn.output)
        images = try GalleryRender.decodedImages(report: report, scratch: directory)
        XCTAssertGreaterThanOrEqual(images.count, 9)
        let section = { (html: String) in html.range(of: "id=\"gallery\"").map { String(html[$0.lowerBound...]) } }
        XCTAssertEqual(section(try String(contentsOfFile: report, encoding: .utf8)), section(drawn), "the same figures, bit for bit")

        // One held-out sample by the fold model that held it out, its predicted and another class.
        let rows = try String(contentsOfFile: directory + "/out/predictions.csv", encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",") }
        let header = rows[0].map(String.init)
        let row = try XCTUnwrap(rows.first { $0.count == header.count && $0[1] == "final" })
        let sample = String(row[header.firstIndex(of: "sample")!])
        let journalled = (0..<3).map { Double(row[header.firstIndex(of: "logit_\($0)")!])! }
        for explained in [nil, 2] as [Int?] {
            let out = "explain\(explained ?? -1)"
            let explain = try coordinator(["explain", "--run", "out", "--sample", sample, "--out", out] + (explained.map { ["--class", "\($0)"] } ?? []))
            XCTAssertEqual(explain.status, 0, explain.output)
            for suffix in ["face.png", "saliency.png", "head0.png", "head1.png", "maximum.png", "explanation.json"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: "\(directory!)/\(out)/\(sample).\(suffix)"), "\(suffix): \(explain.output)")
            }
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(directory!)/\(out)/\(sample).explanation.json")))
                                     as? [String: Any])
            let logits = try XCTUnwrap(json["logits"] as? [Double])
            // The fold evaluated its test samples in a batch; one sample alone may round differently.
            for (a, b) in zip(logits, journalled) { XCTAssertEqual(a, b, accuracy: 1e-4 * max(1, abs(b))) }
            XCTAssertEqual(json["explained_class"] as? Int, explained ?? (json["prediction"] as? Int))
            let heads = try XCTUnwrap(json["heads"] as? [[String: Any]])
            XCTAssertEqual(heads.count, 2)
            XCTAssertEqual(heads.compactMap { $0["share_of_maximum"] as? Double }.reduce(0, +), 1, accuracy: 1e-9)
            XCTAssertEqual(((json["maximum"] as? [String: Any])?["channel_mean_7x7"] as? [Double])?.count, 49)
        }
        // A sample no fold held out is a named error.
        let missing = try coordinator(["explain", "--run", "out", "--sample", "nobody", "--out", "x"])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.output.contains("no held-out sample"), missing.output)
    }

    /// A run with an HTNet and a DDAMFN variant: the gallery shows the first variant of each
    /// architecture (HTNet's input and saliency at 28x28, DDAMFN's face, saliency and M at 112x112).
    func testAMixedRunsGalleryShowsOneVariantOfEachArchitecture() throws {
        try """
            name: mixed
            dataset: {source: synthetic, seed: 3, subjects: 3, samples: 6}
            protocol: {kfold: 3}
            seeds: [1]
            training: {order: shuffle, epochs: 1, batch_size: 4}
            variants:
              - {name: small-htnet, model: {dim: 8, heads: 2, block_repeats: [1, 1, 1]}}
              - {name: tiny-ddamfn, model: {arch: ddamfn, num_heads: 2, conv4_blocks: 0}}
            keep: checkpoints
            """.write(toFile: directory + "/mixed.yaml", atomically: true, encoding: .utf8)
        let run = try coordinator(["run", "mixed.yaml", "--out", "out", "--threads", "1"])
        XCTAssertEqual(run.status, 0, run.output)
        let html = try String(contentsOfFile: directory + "/out/report.html", encoding: .utf8)
        XCTAssertTrue(html.contains("variant <code>small-htnet</code>") && html.contains("variant <code>tiny-ddamfn</code>"))
        let images = try GalleryRender.decodedImages(report: directory + "/out/report.html", scratch: directory)
        let sizes = Dictionary(grouping: images, by: { $0[3] as? String ?? "" }).mapValues { Set($0.compactMap { $0[1] as? Int }) }
        XCTAssertEqual(sizes["input"], [28])
        XCTAssertEqual(sizes["face"], [112])
        XCTAssertEqual(sizes["M"], [112])
        XCTAssertEqual(sizes["saliency"], [28, 112])
    }
}
