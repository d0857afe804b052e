import Evaluation
import Foundation

/// The one place the cluster hands a finished run to the evaluation module's report writer, used by
/// both `coordinator run` (at the end) and `coordinator report OUT` (from the journal alone).
public enum ReportOutput {
    /// Writes the report files into `directory` and returns the path a user should open first;
    /// `log` gets progress lines with an ETA while a large report is computed (ReportProgressLog).
    @discardableResult
    public static func write(_ run: RunRecord, to directory: String, htmlAppendix: String = "",
                             log: ((String) -> Void)? = nil) throws -> String {
        var writer = ReportWriter()
        writer.htmlAppendix = htmlAppendix
        let progress = log.map { ReportProgressLog(log: $0) }
        try writer.write(run, to: directory, progress: progress.map { p in { p.update(stage: $0, done: $1, total: $2) } })
        return (directory as NSString).appendingPathComponent("report.md")
    }
}
