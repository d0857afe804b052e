import Dataset
import Foundation

/// Turns a report's progress (ReportProgress) into log lines with an ETA, "report: comparisons under
/// final 12/105, eta 41s", for runs whose report takes a while (many variants, seeds or noise
/// levels). Quiet for quick reports: a stage is shown only once it has run `interval` seconds, then
/// at most every `interval` seconds, and its last item once anything of it was shown.
final class ReportProgressLog {
    private let log: (String) -> Void
    private let interval: Double
    private let now: () -> Date
    private var stage = ""
    private var estimate = ProgressEstimate(total: 0)
    private var lastEvent: Date
    private var lastLine: Date?

    init(interval: Double = 5, now: @escaping () -> Date = Date.init, log: @escaping (String) -> Void) {
        self.interval = interval
        self.now = now
        self.log = log
        lastEvent = now()
    }

    func update(stage: String, done: Int, total: Int) {
        let t = now()
        if stage != self.stage {
            // The stage began when the previous one's last item ended.
            self.stage = stage
            estimate = ProgressEstimate(total: total, started: lastEvent)
            lastLine = nil
        }
        lastEvent = t
        let due = lastLine.map { t.timeIntervalSince($0) >= interval } ?? (t.timeIntervalSince(estimate.started) >= interval)
        if due || (done == total && lastLine != nil) {
            log("report: \(stage) \(done)/\(total)" + (done < total ? ", \(estimate.text(completed: done, now: t))" : ", done"))
            lastLine = t
        }
    }
}
