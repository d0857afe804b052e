import Evaluation
import Foundation

/// The one place the cluster hands a finished run to the evaluation module's report writer, used by
/// both `coordinator run` (at the end) and `coordinator report OUT` (from the journal alone).
public enum ReportOutput {
    /// Writes the report files into `directory` and returns the path a user should open first.
    @discardableResult
    public static func write(_ run: RunRecord, to directory: String, htmlAppendix: String = "") throws -> String {
        var writer = ReportWriter()
        writer.htmlAppendix = htmlAppendix
        try writer.write(run, to: directory)
        return (directory as NSString).appendingPathComponent("report.md")
    }
}
