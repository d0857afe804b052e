import Foundation
import XCTest
@testable import Evaluation

/// The Run section's workers table says which device trained each worker's tasks and, where tasks
/// were trained as fold batches, the batch sizes; runs journalled before devices were recorded read
/// as CPU, without a batch column.
final class WorkerDevicesReportTests: XCTestCase {
    /// node0:1 trained its tasks on a GPU in fold batches of 4 (and one alone), node1:2 on the CPU.
    func mixedRun() -> RunRecord {
        var run = SyntheticRun.run(variants: [("only", 0.6)], seeds: [1], alternate: false)
        for i in run.curves.indices where run.curves[i].worker == "node0:1" {
            run.curves[i].device = "cuda:0 NVIDIA H200"
            run.curves[i].bundleSize = i == 0 ? nil : 4
        }
        for i in run.curves.indices where run.curves[i].worker == "node1:2" { run.curves[i].device = "cpu" }
        return run
    }

    func testWorkersTableShowsDevicesAndFoldBatchSizes() throws {
        let report = try RunReport(mixedRun())
        XCTAssertEqual(report.schemaVersion, 7)
        let workers = Dictionary(uniqueKeysWithValues: report.timings.workers.map { ($0.worker, $0) })
        XCTAssertEqual(workers["node0:1"]?.devices, ["cuda:0 NVIDIA H200"])
        XCTAssertEqual(workers["node0:1"]?.bundleSizes, [4, 1])
        XCTAssertEqual(workers["node1:2"]?.devices, ["cpu"])
        XCTAssertEqual(workers["node1:2"]?.bundleSizes, [1])

        let markdown = MarkdownReport.render(report)
        XCTAssertTrue(markdown.contains("| worker | device | tasks | training time | fold batch sizes |"), markdown)
        XCTAssertTrue(markdown.contains("| node0:1 | cuda:0 NVIDIA H200 | 5 | 30.00 s | 4, 1 |"), markdown)
        XCTAssertTrue(markdown.contains("| node1:2 | cpu | 4 | 24.00 s | 1 |"), markdown)
        let html = HTMLReport.render(report)
        XCTAssertTrue(html.contains("<td>cuda:0 NVIDIA H200</td>"), html)
        XCTAssertTrue(html.contains("fold batch sizes"))

        // report.json carries both and decodes back.
        let json = try JSONEncoder().encode(report)
        XCTAssertEqual(try JSONDecoder().decode(RunReport.self, from: json), report)
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: json) as? [String: Any])
        let timings = try XCTUnwrap(object["timings"] as? [String: Any])
        let first = try XCTUnwrap((timings["workers"] as? [[String: Any]])?.first)
        XCTAssertEqual(first["devices"] as? [String], ["cuda:0 NVIDIA H200"])
        XCTAssertEqual(first["bundleSizes"] as? [Int], [4, 1])
    }

    func testRunWithoutRecordedDevicesReadsAsCPUWithoutBatchColumn() throws {
        let report = try RunReport(SyntheticRun.run(variants: [("only", 0.6)], seeds: [1], alternate: false))
        XCTAssertEqual(report.timings.workers.map(\.devices), [["cpu"], ["cpu"]])
        let markdown = MarkdownReport.render(report)
        XCTAssertTrue(markdown.contains("| worker | device | tasks | training time |\n"), markdown)
        XCTAssertTrue(markdown.contains("| node0:1 | cpu | 5 | 30.00 s |\n"), markdown)
        XCTAssertFalse(markdown.contains("fold batch sizes"))
    }
}
