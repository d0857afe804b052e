import Foundation

/// The experiment file's `dataset:` (or `--data`): a composite folder, a feature cache, synthetic
/// data, or a face-expression set, paths relative to the experiment file.
extension ExperimentFile.Parser {
    /// `--data PATH`: a composite folder, a feature cache, or `synthetic`.
    mutating func dataset(overriddenBy override: (path: String, base: String)) -> DatasetSpec? {
        if override.path == "synthetic" { return DatasetSpec(kind: .synthetic, seed: 0) }
        let path = URL(fileURLWithPath: override.path, relativeTo: URL(fileURLWithPath: override.base, isDirectory: true))
            .standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            problem("--data", "'\(override.path)' does not exist (resolved to \(path)); give a composite folder, a feature cache file, or 'synthetic'")
            return nil
        }
        return DatasetSpec(kind: isDirectory.boolValue ? .composite : .cache, path: path)
    }

    mutating func dataset(_ raw: Any?) -> DatasetSpec? {
        guard let raw else { problem("dataset", "missing: 'synthetic', a composite folder, or a feature cache file"); return nil }
        var source: String?
        var seed: UInt64?
        var sizes: [String: Int] = [:]
        var features: String?
        if let s = raw as? String {
            source = s
        } else if let m = raw as? [String: Any], m["format"] != nil {
            return faceDataset(m)
        } else if let m = raw as? [String: Any] {
            for key in m.keys.sorted() where !["source", "seed", "subjects", "samples", "features"].contains(key) {
                problem("dataset.\(key)", "unknown field (dataset has source, features, and for synthetic data seed, subjects, samples)")
            }
            if let raw = m["features"] {
                if let text = raw as? String {
                    let url = URL(fileURLWithPath: text, relativeTo: URL(fileURLWithPath: currentDirectory, isDirectory: true))
                    features = url.standardizedFileURL.path
                    if !FileManager.default.fileExists(atPath: features!) {
                        problem("dataset.features", "'\(text)' does not exist (resolved to \(features!))")
                    }
                } else { problem("dataset.features", "'\(raw)' must be the path of a feature CSV") }
            }
            source = m["source"] as? String
            if source == nil { problem("dataset.source", "missing: 'synthetic', a composite folder, or a feature cache file") }
            if let rawSeed = m["seed"] {
                if let n = rawSeed as? Int, n >= 0 { seed = UInt64(n) } else { problem("dataset.seed", "'\(rawSeed)' must be a non-negative integer") }
            }
            for key in ["subjects", "samples"] {
                guard let raw = m[key] else { continue }
                if let n = raw as? Int, n >= 1 { sizes[key] = n } else { problem("dataset.\(key)", "'\(raw)' must be a positive integer (per source dataset)") }
            }
            if source == "synthetic", let subjects = sizes["subjects"], let samples = sizes["samples"], samples < subjects {
                problem("dataset.samples", "\(samples) samples cannot cover \(subjects) subjects")
            }
        } else {
            problem("dataset", "must be a string or {source, seed}")
        }
        guard let source else { return nil }
        if source == "synthetic" || source == "synthetic-smiles" {
            return DatasetSpec(kind: source == "synthetic" ? .synthetic : .syntheticSmiles, seed: seed ?? 0,
                               subjects: sizes["subjects"], samples: sizes["samples"], features: features)
        }
        if source == DatasetSpec.Kind.syntheticFaces.rawValue {
            return DatasetSpec(kind: .syntheticFaces, seed: seed ?? 0, subjects: sizes["subjects"], samples: sizes["samples"])
        }
        if source == DatasetSpec.Kind.syntheticExpressions.rawValue {
            if let subjects = sizes["subjects"], subjects < 2 { problem("dataset.subjects", "\(subjects): folds by subject need at least 2") }
            return DatasetSpec(kind: .syntheticExpressions, seed: seed ?? 0, subjects: sizes["subjects"], samples: sizes["samples"])
        }
        if seed != nil || !sizes.isEmpty { problem("dataset", "only a synthetic dataset (synthetic, synthetic-faces, synthetic-fer) takes seed, subjects, samples") }
        let url = URL(fileURLWithPath: source, relativeTo: URL(fileURLWithPath: currentDirectory, isDirectory: true))
        let path = url.standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            problem("dataset", "'\(source)' does not exist (resolved to \(path)); give a composite folder, a feature cache file, or 'synthetic'")
            return nil
        }
        return DatasetSpec(kind: isDirectory.boolValue ? .composite : .cache, path: path, features: features)
    }

    /// `{format: fer2013 | ferplus | rafdb | class-folders, path, labels?, usage?}`; paths relative
    /// to the experiment file.
    mutating func faceDataset(_ m: [String: Any]) -> DatasetSpec? {
        for key in m.keys.sorted() where !["format", "path", "labels", "usage"].contains(key) {
            problem("dataset.\(key)", "unknown field (a face dataset has format, path, labels, usage)")
        }
        let formats: [DatasetSpec.Kind] = [.fer2013, .ferplus, .rafdb, .classFolders]
        guard let text = m["format"] as? String, let kind = DatasetSpec.Kind(rawValue: text), formats.contains(kind) else {
            problem("dataset.format", "'\(m["format"]!)' is not one of: \(formats.map(\.rawValue).joined(separator: ", "))")
            return nil
        }
        func resolved(_ key: String) -> String? {
            guard let raw = m[key] else { return nil }
            guard let text = raw as? String else { problem("dataset.\(key)", "'\(raw)' must be a path"); return nil }
            let path = URL(fileURLWithPath: text, relativeTo: URL(fileURLWithPath: currentDirectory, isDirectory: true)).standardizedFileURL.path
            if !FileManager.default.fileExists(atPath: path) { problem("dataset.\(key)", "'\(text)' does not exist (resolved to \(path))") }
            return path
        }
        let path = resolved("path"), labels = resolved("labels")
        if path == nil && m["path"] == nil { problem("dataset.path", "missing: the \(kind.rawValue) \(kind == .fer2013 || kind == .ferplus ? "CSV file" : "folder")") }
        let needsLabels = kind == .ferplus || kind == .rafdb
        if needsLabels && m["labels"] == nil { problem("dataset.labels", "missing: \(kind == .ferplus ? "FER+'s label file (fer2013new.csv)" : "RAF-DB's partition list (list_patition_label.txt)")") }
        if !needsLabels && m["labels"] != nil { problem("dataset.labels", "\(kind.rawValue) takes no label file") }
        var usage: [String]?
        if let raw = m["usage"] {
            if kind == .fer2013 || kind == .ferplus, let list = raw as? [Any], let names = list as? [String], !names.isEmpty { usage = names } else {
                problem("dataset.usage", "'\(raw)' must be a list of FER2013 Usage values (Training, PublicTest, PrivateTest), FER2013 / FER+ only")
            }
        }
        return DatasetSpec(kind: kind, path: path, labels: labels, usage: usage)
    }
}
