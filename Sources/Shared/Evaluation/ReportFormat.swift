import Foundation

/// Number formatting shared by the Markdown, HTML and terminal outputs, so every output shows the
/// same digits for the same value.
enum ReportFormat {
    /// A score or difference with 4 decimals; "—" when undefined.
    static func score(_ x: Double?) -> String {
        guard let x else { return "—" }
        if !x.isFinite { return x.isNaN ? "NaN" : (x > 0 ? "inf" : "-inf") }
        return String(format: "%.4f", x)
    }

    /// A p-value: 4 significant digits, scientific below 1e-4; "—" when undefined.
    static func p(_ x: Double?) -> String {
        guard let x else { return "—" }
        return x < 1e-4 ? String(format: "%.3e", x) : String(format: "%.4f", x)
    }

    /// "mean ± sd" over seeds, or just the mean with one seed.
    static func spread(_ s: SeedSpread) -> String {
        guard let sd = s.std else { return score(s.mean) }
        return "\(score(s.mean)) ± \(score(sd))"
    }

    static func interval(_ i: BootstrapInterval?) -> String {
        guard let i else { return "—" }
        return "[\(score(i.lower)), \(score(i.upper))]"
    }

    static func seconds(_ s: Double?) -> String {
        guard let s else { return "—" }
        if s >= 3600 { return String(format: "%.2f h", s / 3600) }
        if s >= 60 { return String(format: "%.1f min", s / 60) }
        return String(format: "%.2f s", s)
    }

    /// The bootstrap interval of a metric for a named system, if computed.
    static func interval(_ intervals: [BootstrapInterval], _ metric: ScoreMetric, of name: String) -> BootstrapInterval? {
        intervals.first { $0.quantity == "\(metric.rawValue) of \(name)" }
    }

    static func differenceInterval(_ intervals: [BootstrapInterval], _ metric: ScoreMetric) -> BootstrapInterval? {
        intervals.first { $0.quantity.hasPrefix("\(metric.rawValue) difference") }
    }
}
