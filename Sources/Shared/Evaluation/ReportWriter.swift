import Foundation

/// Writes a run's report: report.md, report.json, report.schema.json, report.html, report.tex and
/// predictions.csv, all in one directory.
///
/// Every file is rendered in memory first, then each is written to a temporary file in the same
/// directory and renamed over its final name (rename is atomic on POSIX file systems), so a reader or
/// a crash never sees a half-written report. If rendering fails nothing is written at all.
public struct ReportWriter: Sendable {
    public var settings: PairwiseComparison.Settings
    /// Extra HTML sections for report.html (HTMLReport.render's appendix).
    public var htmlAppendix = ""

    public init(settings: PairwiseComparison.Settings = PairwiseComparison.Settings()) {
        self.settings = settings
    }

    /// Always written; embeddings.csv joins them when the run journalled embeddings.
    public static let fileNames = ["report.md", "report.json", "report.schema.json", "report.html", "report.tex", "predictions.csv"]

    /// Builds the report of `run` and writes the files into `directory` (created if missing);
    /// `progress` hears how the slow parts advance.
    @discardableResult
    public func write(_ run: RunRecord, to directory: String, progress: ReportProgress? = nil) throws -> RunReport {
        let report = try RunReport(run, settings: settings, progress: progress)
        let json = try ReportWriter.encoder().encode(report)
        var files: [(String, Data)] = [
            ("predictions.csv", Data(PredictionsCSV.render(run).utf8)),
            ("report.schema.json", Data(ReportSchema.text.utf8)),
            ("report.json", json),
            ("report.md", Data(MarkdownReport.render(report).utf8)),
            ("report.html", Data(HTMLReport.render(report, appendix: htmlAppendix).utf8)),
            ("report.tex", Data(LaTeXReport.render(report).utf8)),
        ]
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ReportError.write(path: directory, reason: error.localizedDescription)
        }
        if !run.embeddings.isEmpty {
            files.append(("embeddings.csv", Data(EmbeddingsCSV.render(run: run.experimentName, rows: run.embeddings).utf8)))
        }
        for (name, data) in files {
            try ReportWriter.writeAtomically(data, to: (directory as NSString).appendingPathComponent(name))
        }
        return report
    }

    /// The JSON encoding of report.json and `compare --json`: sorted keys, and non-finite numbers as
    /// the strings "Infinity", "-Infinity", "NaN" (the schema allows them).
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity",
                                                                negativeInfinity: "-Infinity", nan: "NaN")
        return e
    }

    /// Temp file in the destination's directory, flushed to disk, then renamed over the destination.
    static func writeAtomically(_ data: Data, to path: String) throws {
        let temp = path + ".tmp-\(ProcessInfo.processInfo.processIdentifier)"
        guard FileManager.default.createFile(atPath: temp, contents: nil),
              let handle = FileHandle(forWritingAtPath: temp) else {
            throw ReportError.write(path: temp, reason: "cannot create the temporary file")
        }
        do {
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            unlink(temp)
            throw ReportError.write(path: temp, reason: error.localizedDescription)
        }
        guard rename(temp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw ReportError.write(path: path, reason: reason)
        }
    }
}
