import Dataset
import Foundation

/// A CSV file read whole: a header and rows that remember their line numbers, so that every
/// validation error can point at the line a researcher has to fix. Follows RFC 4180 (quoted
/// fields, doubled quotes, CRLF), tolerates a UTF-8 byte-order mark, and ignores blank lines.
struct CSVTable {
    struct Row {
        /// 1-based line on which the row starts (the header is line 1).
        let line: Int
        let fields: [String]
    }

    let path: String
    let header: [String]
    let rows: [Row]

    static func read(path: String) throws -> CSVTable {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(file: path, "cannot read the file (missing or unreadable)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            // Spreadsheets often save CSV in a legacy code page (an accented name in Windows-1252):
            // point at the first line that is not UTF-8.
            let lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            let bad = lines.firstIndex { String(data: Data($0), encoding: .utf8) == nil }.map { $0 + 1 }
            throw DatasetError(file: path, line: bad, "is not UTF-8 text: save it as 'CSV UTF-8' (a spreadsheet's plain CSV may use a legacy code page)")
        }
        return try parse(text, path: path)
    }

    static func parse(_ text: String, path: String) throws -> CSVTable {
        var records: [Row] = []
        var fields: [String] = []
        var field = ""
        var inQuotes = false
        var fieldWasQuoted = false
        var line = 1
        var recordLine = 1
        var scalars = Array(text.unicodeScalars)
        if scalars.first == "\u{FEFF}" { scalars.removeFirst() }
        var i = 0

        func endRecord() {
            fields.append(field)
            let blank = fields.count == 1 && fields[0].isEmpty && !fieldWasQuoted
            if !blank { records.append(Row(line: recordLine, fields: fields)) }
            fields = []
            field = ""
            fieldWasQuoted = false
        }

        while i < scalars.count {
            let c = scalars[i]
            if inQuotes {
                if c == "\"" {
                    if i + 1 < scalars.count, scalars[i + 1] == "\"" {
                        field.unicodeScalars.append("\"")
                        i += 1
                    } else {
                        inQuotes = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
            } else if c == "\"" && field.isEmpty {
                inQuotes = true
                fieldWasQuoted = true
            } else if c == "," {
                fields.append(field)
                field = ""
                fieldWasQuoted = false
            } else if c == "\r" || c == "\n" {
                if c == "\r", i + 1 < scalars.count, scalars[i + 1] == "\n" { i += 1 }
                endRecord()
                line += 1
                recordLine = line
            } else {
                field.unicodeScalars.append(c)
            }
            i += 1
        }
        if inQuotes {
            throw DatasetError(file: path, line: recordLine, "a quoted field is never closed")
        }
        if !field.isEmpty || !fields.isEmpty || fieldWasQuoted { endRecord() }

        guard let first = records.first else {
            throw DatasetError(file: path, "is empty: expected a header line")
        }
        let header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
        let rows = Array(records.dropFirst())
        for row in rows where row.fields.count != header.count {
            throw DatasetError(file: path, line: row.line,
                               "has \(row.fields.count) fields; the header has \(header.count)")
        }
        return CSVTable(path: path, header: header, rows: rows)
    }

    /// The index of a named column, or an error that lists the columns the file does have.
    func requiredColumn(_ name: String) throws -> Int {
        guard let index = header.firstIndex(of: name) else {
            throw DatasetError(file: path, line: 1,
                               "missing column '\(name)' (the header has: \(header.joined(separator: ", ")))\(separatorHint)")
        }
        return index
    }

    /// A header read as one column holding ';' or tabs is a file saved with another separator
    /// (spreadsheets in many locales write ';'); saying so saves the researcher a puzzle.
    var separatorHint: String {
        guard header.count == 1 else { return "" }
        for (separator, name) in [(";", "';'"), ("\t", "tabs")] where header[0].contains(separator) {
            return "; the fields are separated by \(name), not commas: save the file as comma-separated CSV"
        }
        return ""
    }
}
