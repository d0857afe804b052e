import Dataset
import Foundation
import XCTest

/// The ETA of progress lines, on given clock readings (no timing of real work).
final class ProgressEstimateTests: XCTestCase {
    func testEstimateScalesElapsedTimeByItemsLeft() {
        let start = Date(timeIntervalSince1970: 1000)
        let e = ProgressEstimate(total: 10, started: start)
        XCTAssertNil(e.secondsLeft(completed: 0, now: start.addingTimeInterval(5)))
        XCTAssertEqual(e.text(completed: 0, now: start), "eta ?")
        // 4 items in 20 s: 5 s each, 6 left.
        XCTAssertEqual(e.secondsLeft(completed: 4, now: start.addingTimeInterval(20)), 30)
        XCTAssertEqual(e.text(completed: 4, now: start.addingTimeInterval(20)), "eta 30s")
        XCTAssertEqual(e.secondsLeft(completed: 10, now: start.addingTimeInterval(50)), 0)
    }

    func testDurationText() {
        XCTAssertEqual(ProgressEstimate.duration(59.4), "59s")
        XCTAssertEqual(ProgressEstimate.duration(185), "3m05s")
        XCTAssertEqual(ProgressEstimate.duration(3720), "1h02m")
    }
}
