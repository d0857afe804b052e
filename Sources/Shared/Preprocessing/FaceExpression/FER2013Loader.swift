import Dataset
import Foundation

/// FER2013's CSV (`emotion,pixels,Usage`: a label 0-6, 2304 space-separated grey levels of a 48x48
/// face, and Training / PublicTest / PrivateTest), and FER+'s label file over it (`fer2013new.csv`:
/// Usage, Image name, then ten vote counts: neutral, happiness, surprise, sadness, anger, disgust,
/// fear, contempt, unknown, NF; row i relabels FER2013's row i).
/// FER2013 has no subject ids: every image is its own subject, so subject-wise k-fold is image-wise
/// k-fold; `Usage` becomes the sample's `dataset` column. Images stay 48x48 (DDAMFN resizes).
public enum FER2013Loader {
    /// `usages` keeps only rows with those Usage values (nil keeps all).
    public static func load(csv path: String, usages: Set<String>? = nil) throws -> ComposedDataset {
        try load(csv: path, ferPlus: nil, usages: usages)
    }

    /// FER+ labels: the class with the most votes among the eight emotions (ties to the earlier
    /// column); rows whose most-voted column is `unknown` or `NF` (not a face), or with no votes, are
    /// left out, as FER+'s majority scheme does.
    public static func load(csv path: String, ferPlus labelsPath: String?, usages: Set<String>? = nil) throws -> ComposedDataset {
        let table = try CSVTable.read(path: path)
        func column(_ name: String) throws -> Int {
            guard let i = table.header.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).caseInsensitiveCompare(name) == .orderedSame }) else {
                throw DatasetError(file: path, line: 1, "no '\(name)' column (FER2013 has emotion, pixels, Usage)\(table.separatorHint)")
            }
            return i
        }
        let emotion = try column("emotion"), pixels = try column("pixels")
        let usage = table.header.contains { $0.trimmingCharacters(in: .whitespaces).caseInsensitiveCompare("Usage") == .orderedSame } ? try column("Usage") : nil
        var plusLabels: [Int?]?
        if let labelsPath { plusLabels = try ferPlusLabels(labelsPath, rows: table.rows.count) }
        let classes = plusLabels == nil ? FaceExpressionClasses.fer2013 : FaceExpressionClasses.ferPlus
        var builder = FaceSetBuilder(side: 48, classNames: classes, source: labelsPath == nil ? "fer2013" : "ferplus")
        for (r, row) in table.rows.enumerated() {
            func bad(_ problem: String) -> DatasetError { DatasetError(file: path, line: row.line, problem) }
            guard row.fields.count == table.header.count else {
                throw bad("\(row.fields.count) fields, the header has \(table.header.count)")
            }
            let set = usage.map { row.fields[$0].trimmingCharacters(in: .whitespaces) } ?? "all"
            if let usages, !usages.contains(set) { continue }
            let label: Int
            if let plusLabels {
                guard let l = plusLabels[r] else { continue }
                label = l
            } else {
                guard let l = Int(row.fields[emotion].trimmingCharacters(in: .whitespaces)), (0..<7).contains(l) else {
                    throw bad("emotion '\(row.fields[emotion])' is not a label 0-6")
                }
                label = l
            }
            let values = row.fields[pixels].split(separator: " ", omittingEmptySubsequences: true)
            guard values.count == 48 * 48 else { throw bad("pixels holds \(values.count) values, a 48x48 image needs 2304") }
            var grey = [UInt8](repeating: 0, count: 48 * 48)
            for (i, v) in values.enumerated() {
                guard let g = UInt8(v) else { throw bad("pixel \(i + 1) '\(v)' is not a grey level 0-255") }
                grey[i] = g
            }
            let id = String(format: "fer%05d", r)
            builder.append(Image8(rows: 48, cols: 48, channels: 1, pixels: grey),
                           sample: Sample(id: id, subject: id, dataset: set, label: label))
        }
        if builder.samples.isEmpty { throw DatasetError(file: path, "no usable rows\(usages.map { " with Usage in \($0.sorted())" } ?? "")") }
        return builder.build(file: path, hash: FaceSetBuilder.fileHash(path) + (labelsPath.map { "+" + FaceSetBuilder.fileHash($0) } ?? ""))
    }

    /// Majority labels of a FER+ label file, one per FER2013 row (nil: left out).
    static func ferPlusLabels(_ path: String, rows: Int) throws -> [Int?] {
        let table = try CSVTable.read(path: path)
        // fer2013new.csv's header: Usage, Image name, neutral, ..., contempt, unknown, NF.
        guard table.header.count >= 12 else {
            throw DatasetError(file: path, line: 1, "\(table.header.count) columns; FER+ has Usage, Image name and 10 vote columns")
        }
        guard table.rows.count == rows else {
            throw DatasetError(file: path, "\(table.rows.count) rows but the FER2013 file has \(rows); FER+ labels FER2013 row by row")
        }
        return try table.rows.map { row in
            guard row.fields.count >= 12 else { throw DatasetError(file: path, line: row.line, "\(row.fields.count) fields, expected 12") }
            var votes: [Int] = []
            for (k, text) in row.fields[2..<12].enumerated() {
                guard let v = Int(text.trimmingCharacters(in: .whitespaces)), v >= 0 else {
                    throw DatasetError(file: path, line: row.line, "vote count '\(text)' in column \(table.header[k + 2]) is not a count")
                }
                votes.append(v)
            }
            let top = votes.indices.max { votes[$0] < votes[$1] || (votes[$0] == votes[$1] && $0 > $1) }!
            return votes[top] > 0 && top < 8 ? top : nil
        }
    }
}
