import Dataset
import Foundation
import Preprocessing

/// The experiment file's `evaluation:` (LOSO, k-fold, split, validation) and `classes:` / `ordinal:`.
extension ExperimentFile.Parser {
    mutating func evaluation(_ raw: Any?) -> ProtocolSpec? {
        guard let raw else { return ProtocolSpec(kind: .loso) }
        if let s = raw as? String, s == "loso" { return ProtocolSpec(kind: .loso) }
        if let s = raw as? String, s == "split" { return ProtocolSpec(kind: .split) }
        if let m = raw as? [String: Any] {
            let allowed = ["kfold", "split_seed", "stratified", "validation_fraction", "split", "loso"]
            for key in m.keys.sorted() where !allowed.contains(key) {
                problem("protocol.\(key)", "unknown field (protocol has loso, kfold, split, split_seed, stratified, validation_fraction)")
            }
            var splitSeed: UInt64?
            if let rawSeed = m["split_seed"] {
                if let n = rawSeed as? Int, n >= 0 { splitSeed = UInt64(n) } else {
                    problem("protocol.split_seed", "'\(rawSeed)' must be a non-negative integer")
                }
            }
            var stratified: Bool?
            if let rawStratified = m["stratified"] {
                if let b = rawStratified as? Bool { stratified = b } else { problem("protocol.stratified", "'\(rawStratified)' must be true or false") }
            }
            var fraction: Double?
            if let rawFraction = m["validation_fraction"] {
                if let x = (rawFraction as? Double) ?? (rawFraction as? Int).map(Double.init), x > 0, x < 1 { fraction = x } else {
                    problem("protocol.validation_fraction", "'\(rawFraction)' must be a number between 0 and 1 (the share of training subjects held out for validation)")
                }
            }
            let kinds = ["kfold", "split", "loso"].filter { m[$0] != nil }
            if kinds.count > 1 { problem("protocol", "give one of kfold, split, loso (got \(kinds.joined(separator: ", ")))"); return nil }
            if let rawSplit = m["split"] {
                guard rawSplit as? String == "column" else {
                    problem("protocol.split", "'\(rawSplit)' must be 'column' (the data's split column: train, val, test)")
                    return nil
                }
                if stratified != nil { problem("protocol.stratified", "applies to kfold only") }
                return ProtocolSpec(kind: .split, splitSeed: splitSeed, validationFraction: fraction)
            }
            if let rawLOSO = m["loso"] {
                if rawLOSO as? Bool != true { problem("protocol.loso", "must be true") }
                if stratified != nil { problem("protocol.stratified", "applies to kfold only") }
                return ProtocolSpec(kind: .loso, splitSeed: splitSeed, validationFraction: fraction)
            }
            guard let k = m["kfold"] as? Int, k >= 2 else {
                problem("protocol.kfold", "must be an integer of at least 2 (folds by subject)")
                return nil
            }
            return ProtocolSpec(kind: .kfold, k: k, splitSeed: splitSeed ?? 0, stratified: stratified, validationFraction: fraction)
        }
        problem("protocol", "'\(raw)' must be 'loso', 'split', {kfold: K, split_seed: S, stratified: true} or {split: column}")
        return nil
    }

    /// `classes:` (a list of names, a map file, or {names, map}) and `ordinal:`.
    mutating func classes(_ raw: Any?, ordinal rawOrdinal: Any?) -> ClassSpec? {
        var ordinal = false
        if let rawOrdinal {
            if let b = rawOrdinal as? Bool { ordinal = b } else { problem("ordinal", "'\(rawOrdinal)' must be true or false") }
        }
        guard let raw else {
            if ordinal { problem("ordinal", "needs classes: (the grades, lowest first)") }
            return nil
        }
        var names: [String]?
        var mapPath: String?
        if let list = raw as? [Any] {
            names = classNames(list, field: "classes")
        } else if let path = raw as? String {
            mapPath = path
        } else if let m = raw as? [String: Any] {
            for key in m.keys.sorted() where !["names", "map"].contains(key) {
                problem("classes.\(key)", "unknown field (classes has names, map)")
            }
            if let rawNames = m["names"] {
                if let list = rawNames as? [Any] { names = classNames(list, field: "classes.names") } else {
                    problem("classes.names", "must be a list of class names")
                }
            }
            if let rawMap = m["map"] {
                if let path = rawMap as? String { mapPath = path } else { problem("classes.map", "must be the path of a CSV file (label,class)") }
            }
            if names == nil && mapPath == nil { problem("classes", "give names, a map file, or both") }
        } else {
            problem("classes", "must be a list of class names, a map file (CSV label,class), or {names: [...], map: FILE}")
        }
        var map: LabelMap?
        if let mapPath {
            let path = URL(fileURLWithPath: mapPath, relativeTo: URL(fileURLWithPath: currentDirectory, isDirectory: true))
                .standardizedFileURL.path
            do {
                let read = try LabelMapFile.read(path: path, classNames: names)
                map = read.map
                names = read.classNames
            } catch {
                problem("classes.map", "\(error)")
                return nil
            }
        }
        guard let names else { return nil }
        return ClassSpec(names: names, map: map, ordinal: ordinal)
    }

    mutating func classNames(_ list: [Any], field: String) -> [String]? {
        var names: [String] = []
        for (i, item) in list.enumerated() {
            let text = (item as? String) ?? (item as? Int).map(String.init)
            guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                problem("\(field)[\(i)]", "'\(item)' must be a non-empty class name")
                return nil
            }
            names.append(text)
        }
        if names.count < 2 { problem(field, "lists \(names.count) class(es); a task needs at least 2") ; return nil }
        if Set(names).count != names.count { problem(field, "\(names) repeats a class name"); return nil }
        return names
    }
}
