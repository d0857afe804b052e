import Foundation

/// The estimated time left of a long loop (training epochs, preprocessed samples, composed cache
/// rows), for progress lines: elapsed time per completed item times the items left. The estimate
/// assumes items cost alike; it is a guide for the person waiting, never recorded in results.
public struct ProgressEstimate: Sendable {
    public let total: Int
    public let started: Date

    public init(total: Int, started: Date = Date()) {
        self.total = total
        self.started = started
    }

    /// Seconds left after `completed` of `total` items, or nil before the first item.
    public func secondsLeft(completed: Int, now: Date = Date()) -> Double? {
        guard completed > 0 else { return nil }
        let perItem = now.timeIntervalSince(started) / Double(completed)
        return perItem * Double(max(0, total - completed))
    }

    /// "eta 1h02m", "eta 3m05s", "eta 12s", or "eta ?" before the first item.
    public func text(completed: Int, now: Date = Date()) -> String {
        guard let s = secondsLeft(completed: completed, now: now) else { return "eta ?" }
        return "eta " + Self.duration(s)
    }

    public static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}
