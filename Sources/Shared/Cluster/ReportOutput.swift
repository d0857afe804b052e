import Evaluation
import Foundation

/// The one place the cluster hands a finished run to the evaluation module's report, used by both
/// `coordinator run` (at the end) and `coordinator report OUT` (from the journal alone).
public enum ReportOutput {
    /// Writes the report into `directory` and returns the path a user should open.
    @discardableResult
    public static func write(_ run: RunRecord, to directory: String) throws -> String {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // Until the evaluation module's report writer lands: the computed report as JSON.
        let report = try RunReport(run)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let path = (directory as NSString).appendingPathComponent("report.json")
        try AtomicFile.write(try encoder.encode(report), to: path)
        return path
    }
}
