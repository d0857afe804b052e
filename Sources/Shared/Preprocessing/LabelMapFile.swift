import Dataset
import Foundation

/// Reads a class-map file: a CSV with columns `label,class`, one row per label text the data uses
/// (an emotion word, a grade such as "IV" or "4"), where `class` is a class name or a 0-based class
/// index. With `classNames` given, every class must be one of them (or an index into them); without,
/// the class list is the `class` column's names in order of first appearance, or, when every class
/// is an integer, 0..<K named by those integers (every index must occur).
public enum LabelMapFile {
    public static func read(path: String, classNames: [String]?) throws -> (map: LabelMap, classNames: [String]) {
        let table = try CSVTable.read(path: path)
        let labelColumn = try table.requiredColumn("label"), classColumn = try table.requiredColumn("class")
        var rows: [(label: String, value: String, line: Int)] = []
        var firstLine: [String: Int] = [:]
        for row in table.rows {
            let label = row.fields[labelColumn].trimmingCharacters(in: .whitespaces)
            let value = row.fields[classColumn].trimmingCharacters(in: .whitespaces)
            if label.isEmpty { throw DatasetError(file: path, line: row.line, "empty label") }
            if value.isEmpty { throw DatasetError(file: path, line: row.line, "empty class for label '\(label)'") }
            if let earlier = firstLine[LabelMap.key(label)] {
                throw DatasetError(file: path, line: row.line, "label '\(label)' is mapped twice (line \(earlier))")
            }
            firstLine[LabelMap.key(label)] = row.line
            rows.append((label, value, row.line))
        }
        guard !rows.isEmpty else { throw DatasetError(file: path, "maps no labels (expected rows 'label,class')") }
        let names: [String]
        if let classNames {
            names = classNames
        } else if rows.allSatisfy({ Int($0.value) != nil }) {
            let indices = Set(rows.map { Int($0.value)! })
            let count = (indices.max() ?? -1) + 1
            guard indices.min() == 0, indices.count == count else {
                throw DatasetError(file: path, "class indices \(indices.sorted()) must cover 0..<\(count) (or give the class names in the experiment)")
            }
            names = (0..<count).map(String.init)
        } else {
            names = ComposedDataset.distinct(rows.map(\.value))
        }
        var entries: [String: Int] = [:]
        for row in rows {
            if let index = names.firstIndex(of: row.value) {
                entries[row.label] = index
            } else if let index = Int(row.value), names.indices.contains(index) {
                entries[row.label] = index
            } else {
                throw DatasetError(file: path, line: row.line,
                                   "class '\(row.value)' is not one of \(names.joined(separator: ", ")) nor an index 0..<\(names.count)")
            }
        }
        guard names.count >= 2 else { throw DatasetError(file: path, "maps every label to one class; a task needs at least 2") }
        return (LabelMap(entries: entries, file: path), names)
    }
}
