import Dataset
import Foundation

/// A per-sample feature CSV: a header `id,<column>,<column>,...` (the first column names the
/// sample as the dataset does: Sample.id), then one row per sample with numbers. Rows for samples
/// the dataset does not have are ignored (a file may cover a superset); everything else that is
/// wrong is a DatasetError naming the file, the line and the column, raised before any training.
public enum HandcraftedFeatureFile {
    public static func read(path: String, samples: [Sample]) throws -> HandcraftedFeatures {
        let table = try CSVTable.read(path: path)
        return try parse(table, samples: samples)
    }

    public static func parse(text: String, path: String, samples: [Sample]) throws -> HandcraftedFeatures {
        try parse(try CSVTable.parse(text, path: path), samples: samples)
    }

    static func parse(_ table: CSVTable, samples: [Sample]) throws -> HandcraftedFeatures {
        let path = table.path
        guard table.header.count >= 2 else {
            throw DatasetError(file: path, line: 1, "the header has \(table.header.count) column(s); a feature file needs the sample id and at least one feature column\(table.separatorHint)")
        }
        let columns = Array(table.header.dropFirst())
        if let dup = columns.first(where: { c in columns.filter { $0 == c }.count > 1 }) {
            throw DatasetError(file: path, line: 1, "column '\(dup)' appears twice in the header")
        }
        let wanted = Dictionary(samples.indices.map { (samples[$0].id, $0) }, uniquingKeysWith: { a, _ in a })
        var rows = [[Float]?](repeating: nil, count: samples.count)
        var seenLine: [String: Int] = [:]
        for row in table.rows {
            guard row.fields.count == table.header.count else {
                throw DatasetError(file: path, line: row.line, "the row has \(row.fields.count) columns, the header has \(table.header.count)")
            }
            let id = row.fields[0]
            if let first = seenLine[id] { throw DatasetError(file: path, line: row.line, "sample '\(id)' already has a row (line \(first))") }
            seenLine[id] = row.line
            var values: [Float] = []
            for (j, text) in row.fields.dropFirst().enumerated() {
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                guard let v = Float(trimmed), v.isFinite else {
                    throw DatasetError(file: path, line: row.line, "column '\(columns[j])': '\(text)' is not a finite number")
                }
                values.append(v)
            }
            if let i = wanted[id] { rows[i] = values }
        }
        let missing = samples.indices.filter { rows[$0] == nil }.map { samples[$0].id }
        if !missing.isEmpty {
            throw DatasetError(file: path, "no row for \(missing.count) of the dataset's \(samples.count) samples: \(missing.prefix(5).joined(separator: ", "))\(missing.count > 5 ? ", ..." : "")")
        }
        return HandcraftedFeatures(columns: columns, values: rows.flatMap { $0! }, source: path)
    }

    /// The CSV text of `features` for `samples` (the layout `read` takes), numbers in Swift's
    /// shortest round-tripping form.
    public static func render(_ features: HandcraftedFeatures, samples: [Sample]) -> String {
        var out = (["id"] + features.columns).joined(separator: ",") + "\n"
        let f = features.count
        for (i, s) in samples.enumerated() {
            out += ([s.id] + (0..<f).map { "\(features.values[i * f + $0])" }).joined(separator: ",") + "\n"
        }
        return out
    }
}
