import Foundation

/// What `coordinator compare` compares: two prediction tables (run directories or predictions.csv
/// files), or two variants of one table, reduced to one PairwiseComparison.
public enum PredictionFileComparison {
    public struct InputError: Error, CustomStringConvertible {
        public var description: String
    }

    /// `path` is a run directory (its predictions.csv is read) or a CSV file.
    public static func load(_ path: String) throws -> PredictionsCSV.Table {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw InputError(description: "\(path): no such file or directory")
        }
        let file = isDirectory.boolValue ? (path as NSString).appendingPathComponent("predictions.csv") : path
        return try PredictionsCSV.read(path: file)
    }

    /// Picks one variant's rows of one selection from a table.
    /// - Parameters:
    ///   - variant: required when the table holds several variants.
    ///   - selection: the epoch selection (default: the table's first, the run's own).
    static func rows(of table: PredictionsCSV.Table, name: String, variant: String?, selection: String?) throws -> (rows: [PredictionRow], variant: String) {
        if let selection, !table.selections.contains(selection) {
            throw InputError(description: "\(name): no rows with selection '\(selection)' (has: \(table.selections.joined(separator: ", ")))")
        }
        let rows = table.rows(selection: selection)
        let variants = orderedUnique(rows.map(\.variant))
        let chosen: String
        if let variant {
            guard variants.contains(variant) else {
                throw InputError(description: "\(name): no variant '\(variant)' (has: \(variants.joined(separator: ", ")))")
            }
            chosen = variant
        } else if variants.count == 1 {
            chosen = variants[0]
        } else {
            throw InputError(description: "\(name) holds several variants (\(variants.joined(separator: ", "))): choose with --variant-a / --variant-b")
        }
        return (rows.filter { $0.variant == chosen }, chosen)
    }

    /// Compares A and B (B defaults to A's table, for two variants of one run).
    public static func compare(a: PredictionsCSV.Table, nameA: String, b: PredictionsCSV.Table?, nameB: String?,
                               variantA: String?, variantB: String?, selection: String?,
                               settings: PairwiseComparison.Settings) throws -> PairwiseComparison {
        let tableB = b ?? a, labelB = nameB ?? nameA
        let sideA = try rows(of: a, name: nameA, variant: variantA, selection: selection)
        let sideB = try rows(of: tableB, name: labelB, variant: variantB, selection: selection)
        if b == nil && sideA.variant == sideB.variant {
            throw InputError(description: "A and B are the same variant '\(sideA.variant)' of \(nameA): give --variant-a and --variant-b")
        }
        let classCount = max(a.classCount, tableB.classCount)
        let paired = try PairedPredictions(a: sideA.rows, b: sideB.rows, classCount: classCount)
        let display = { (name: String, variant: String) in b == nil ? variant : "\(name):\(variant)" }
        return PairwiseComparison(paired, nameA: display(nameA, sideA.variant), nameB: display(labelB, sideB.variant),
                                  settings: settings)
    }
}
