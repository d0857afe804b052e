import Dataset
import Foundation

/// The landmarks CSV (`landmarks_mtcnn_28.csv`): one row per flow image with its five landmarks.
/// Rows are validated as they are read; a row that fails is kept as a problem, not thrown, so the
/// loader can decide (error, or skip the sample when the user allowed skipping).
struct LandmarkTable {
    struct Entry {
        let line: Int
        /// `detected` column: false where MTCNN found no face and the row holds fallback values.
        let detected: Bool
        let landmarks: FaceLandmarks
    }

    let path: String
    /// Valid rows by flow image name.
    private(set) var entries: [String: Entry] = [:]
    /// Rows that failed validation, by flow image name: the error to report for that sample.
    private(set) var problems: [String: DatasetError] = [:]
    /// Every flow image the file names, in file order, with the line naming it first.
    private(set) var names: [(name: String, line: Int)] = []

    /// Accepted coordinates: the 28x28 frame widened by one crop (14) on every side. MTCNN does
    /// place landmarks a few pixels outside the frame when the face crop cuts the brow (the shipped
    /// composite goes down to -5.95 and up to 29.33; the crop clamps them), but a point more than a
    /// crop away cannot belong to this face: that is a wrong file, e.g. landmarks of the 224x224 apex.
    static let validRange: ClosedRange<Double> = -14...42

    init(path: String) throws {
        self.path = path
        let table = try CSVTable.read(path: path)
        let nameColumn = try table.requiredColumn("flow_image")
        let detectedColumn = table.header.firstIndex(of: "detected")
        let coordinateColumns = try FaceLandmarks.columnNames.map { try table.requiredColumn($0) }

        var firstLine: [String: Int] = [:]
        for row in table.rows {
            let name = row.fields[nameColumn]
            if name.isEmpty {
                throw DatasetError(file: path, line: row.line, "empty 'flow_image' field")
            }
            if let earlier = firstLine[name] {
                throw DatasetError(file: path, line: row.line,
                                   "duplicate landmarks for '\(name)' (line \(earlier) already gives them)")
            }
            firstLine[name] = row.line
            names.append((name, row.line))
            do {
                entries[name] = try Self.entry(row, detectedColumn: detectedColumn,
                                               coordinateColumns: coordinateColumns, path: path)
            } catch let error as DatasetError {
                problems[name] = error
            }
        }
    }

    private static func entry(_ row: CSVTable.Row, detectedColumn: Int?, coordinateColumns: [Int],
                              path: String) throws -> Entry {
        var values: [Double] = []
        for (column, name) in zip(coordinateColumns, FaceLandmarks.columnNames) {
            let text = row.fields[column].trimmingCharacters(in: .whitespaces)
            guard let value = Double(text), value.isFinite else {
                throw DatasetError(file: path, line: row.line, "landmark \(name) '\(text)' is not a number")
            }
            guard validRange.contains(value) else {
                throw DatasetError(file: path, line: row.line,
                                   "landmark \(name) = \(text) is out of range: a 28x28-frame coordinate must lie in -14...42")
            }
            values.append(value)
        }
        var detected = true
        if let detectedColumn {
            let text = row.fields[detectedColumn].trimmingCharacters(in: .whitespaces)
            switch text {
            case "1", "true", "True": detected = true
            case "0", "false", "False": detected = false
            default:
                throw DatasetError(file: path, line: row.line, "detected '\(text)' is not 0 or 1")
            }
        }
        let points = stride(from: 0, to: 10, by: 2).map { FaceLandmarks.Point(x: values[$0], y: values[$0 + 1]) }
        return Entry(line: row.line, detected: detected, landmarks: FaceLandmarks(points: points))
    }
}
