import Foundation
import XCTest
@testable import Coordination

/// The report's progress lines: silent for a quick stage, then at most one line per interval with
/// an ETA from the stage's own pace, and a closing line for a stage that was shown.
final class ReportProgressLogTests: XCTestCase {
    func testQuickStagesAreSilentAndSlowOnesShowAnETA() {
        var clock = Date(timeIntervalSince1970: 0)
        var lines: [String] = []
        let progress = ReportProgressLog(interval: 5, now: { clock }) { lines.append($0) }
        // A quick stage: 3 pairs in 3 s, nothing shown.
        for done in 1...3 { clock += 1; progress.update(stage: "comparisons under final", done: done, total: 3) }
        XCTAssertEqual(lines, [])
        // A slow stage from t = 3: 10 pairs of 2 s each. Shown once it has run 5 s (after pair 3, t = 9:
        // 7 left at 2 s), then every 5 s (pairs 6 and 9), then its last pair.
        for done in 1...10 { clock += 2; progress.update(stage: "comparisons under best-test-epoch", done: done, total: 10) }
        XCTAssertEqual(lines, ["report: comparisons under best-test-epoch 3/10, eta 14s",
                               "report: comparisons under best-test-epoch 6/10, eta 8s",
                               "report: comparisons under best-test-epoch 9/10, eta 2s",
                               "report: comparisons under best-test-epoch 10/10, done"])
    }
}
