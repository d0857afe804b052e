import Foundation
import FoldResults

/// predictions.csv: one line per prediction, RFC 4180 quoting, header
/// `run,selection,variant,seed,fold,subject,dataset,sample,label,pred,logit_0,...,logit_{k-1}`.
///
/// `selection` is the epoch-selection rule (`final` or `best-test-epoch`); a report writes the run's
/// own selection first and the alternate selection's rows after, so the two are never confused.
/// Labels and predictions are class indices; logits are written in Swift's shortest round-trip form.
public enum PredictionsCSV {
    public static let fixedColumns = ["run", "selection", "variant", "seed", "fold", "subject", "dataset",
                                      "sample", "label", "pred"]

    public static func render(_ run: RunRecord) -> String {
        var blocks: [(EpochSelection, [PredictionRow])] = [(run.selection, run.rows)]
        if let other = run.alternateSelection { blocks.append((other, run.alternateRows)) }
        let logitCount = (run.rows + run.alternateRows).map(\.logits.count).max() ?? 0
        var out = (fixedColumns + (0..<logitCount).map { "logit_\($0)" }).joined(separator: ",") + "\n"
        for (selection, rows) in blocks {
            for r in rows {
                var fields = [run.experimentName, selection.rawValue, r.variant, String(r.seed), r.fold, r.subject,
                              r.dataset, r.sample, String(r.label), String(r.pred)]
                fields += (0..<logitCount).map { $0 < r.logits.count ? "\(r.logits[$0])" : "" }
                out += fields.map(quote).joined(separator: ",") + "\n"
            }
        }
        return out
    }

    static func quote(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Predictions read back from a CSV file.
    public struct Table: Sendable {
        public var run: String
        /// The selection of the first row (the run's own selection when a report wrote the file).
        public var selections: [String]
        public var rows: [(selection: String, row: PredictionRow)]

        /// Rows of one selection (default: the first one in the file).
        public func rows(selection: String? = nil) -> [PredictionRow] {
            let wanted = selection ?? selections.first
            return rows.filter { wanted == nil || $0.selection == wanted }.map(\.row)
        }
        public var variants: [String] { orderedUnique(rows.map(\.row.variant)) }
        /// The class count implied by the logits (or, without logits, by the largest class index).
        public var classCount: Int {
            let fromLogits = rows.map(\.row.logits.count).max() ?? 0
            let fromIndices = (rows.map { max($0.row.label, $0.row.pred) }.max() ?? -1) + 1
            return max(fromLogits, fromIndices)
        }
    }

    public struct ParseError: Error, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var reason: String
        /// `file:line: reason`; a problem with the whole file (line 0) names the file alone.
        public var description: String { line > 0 ? "\(file):\(line): \(reason)" : "\(file): \(reason)" }
    }

    public static func read(path: String) throws -> Table {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ParseError(file: path, line: 0, reason: "cannot read: \(error.localizedDescription)")
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String = "<csv>") throws -> Table {
        let records = splitRecords(text)
        guard let header = records.first else { throw ParseError(file: file, line: 1, reason: "empty file") }
        var column: [String: Int] = [:]
        for (i, name) in header.enumerated() { column[name] = i }
        // variant, seed and fold may be absent (predictions written by train-fold before it used this
        // format): they default to "default", seed 0 and the subject.
        let required = ["subject", "sample", "label", "pred"]
        for name in required where column[name] == nil {
            throw ParseError(file: file, line: 1, reason: "missing column '\(name)' (header: \(header.joined(separator: ",")))")
        }
        let logitColumns = header.indices.filter { header[$0].hasPrefix("logit_") }
        var rows: [(selection: String, row: PredictionRow)] = []
        var run = "", selections: [String] = []
        for (n, fields) in records.dropFirst().enumerated() where !(fields.count == 1 && fields[0].isEmpty) {
            let line = n + 2
            guard fields.count == header.count else {
                throw ParseError(file: file, line: line, reason: "\(fields.count) fields, header has \(header.count)")
            }
            func field(_ name: String) -> String { column[name].map { fields[$0] } ?? "" }
            func integer(_ name: String) throws -> Int {
                guard let v = Int(field(name)) else {
                    throw ParseError(file: file, line: line, reason: "column '\(name)' is not an integer: '\(field(name))'")
                }
                return v
            }
            var logits: [Float] = []
            for c in logitColumns where !fields[c].isEmpty {
                guard let v = Float(fields[c]) else {
                    throw ParseError(file: file, line: line, reason: "column '\(header[c])' is not a number: '\(fields[c])'")
                }
                logits.append(v)
            }
            let label = try integer("label"), pred = try integer("pred")
            guard label >= 0, pred >= 0 else {
                throw ParseError(file: file, line: line, reason: "negative class index")
            }
            // With logit columns the class count is known: an index beyond it is no class of this run.
            if !logitColumns.isEmpty, let (name, value) = [("label", label), ("pred", pred)].first(where: { $0.1 >= logitColumns.count }) {
                throw ParseError(file: file, line: line,
                                 reason: "\(name) \(value) is not a class index: the file has \(logitColumns.count) logit columns (classes 0..<\(logitColumns.count))")
            }
            let selection = field("selection")
            if !selections.contains(selection) { selections.append(selection) }
            if run.isEmpty { run = field("run") }
            let variant = column["variant"] == nil ? "default" : field("variant")
            let seed = column["seed"] == nil ? 0 : try integer("seed")
            let fold = column["fold"] == nil ? field("subject") : field("fold")
            rows.append((selection, PredictionRow(variant: variant, seed: seed, fold: fold,
                                                  subject: field("subject"), dataset: field("dataset"),
                                                  sample: field("sample"), label: label, pred: pred, logits: logits)))
        }
        guard !rows.isEmpty else { throw ParseError(file: file, line: 2, reason: "no prediction rows") }
        return Table(run: run, selections: selections, rows: rows)
    }

    /// RFC 4180 records: quoted fields may hold commas, doubled quotes and line breaks.
    static func splitRecords(_ text: String) -> [[String]] {
        var records: [[String]] = [], fields: [String] = [], field = ""
        // A spreadsheet's UTF-8 byte-order mark is no part of the first column's name.
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var inQuotes = false, iterator = scalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func next() -> Unicode.Scalar? {
            if let p = pending { pending = nil; return p }
            return iterator.next()
        }
        while let c = next() {
            if inQuotes {
                if c == "\"" {
                    if let d = next() {
                        if d == "\"" { field.unicodeScalars.append("\"") } else { inQuotes = false; pending = d }
                    } else { inQuotes = false }
                } else { field.unicodeScalars.append(c) }
            } else if c == "\"" {
                inQuotes = true
            } else if c == "," {
                fields.append(field); field = ""
            } else if c == "\n" || c == "\r" {
                if c == "\r", let d = next(), d != "\n" { pending = d }
                fields.append(field); field = ""
                records.append(fields); fields = []
            } else {
                field.unicodeScalars.append(c)
            }
        }
        if !field.isEmpty || !fields.isEmpty { fields.append(field); records.append(fields) }
        return records
    }
}
