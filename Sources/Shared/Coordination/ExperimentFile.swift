import DDAMFN
import Dataset
import FoldResults
import Foundation
import HTNet
import Preprocessing
import Yams

/// Every problem found in an experiment file, each naming the field; thrown before any work starts.
public struct ExperimentFileError: Error, CustomStringConvertible, Equatable {
    public var file: String
    /// (field path such as `variants[1].model.dim`, what is wrong)
    public var problems: [Problem]
    public struct Problem: Equatable, Sendable {
        public var field: String
        public var message: String
    }
    public var description: String {
        let lines = problems.map { "  \($0.field): \($0.message)" }
        return "\(file): invalid experiment (\(problems.count) problem\(problems.count == 1 ? "" : "s")):\n" + lines.joined(separator: "\n")
    }
}

/// Reads an experiment file (YAML, or JSON which YAML includes) into a validated `Experiment`.
///
///     name: demo                     # letters, digits, . _ -
///     dataset: synthetic             # or {source: synthetic, seed: 7, subjects: 4, samples: 40}
///                                    # (sizes per source), or a composite folder / cache file path
///     protocol: loso                 # or {kfold: 5, split_seed: 0, stratified: true}, or {split: column}
///                                    # (+ validation_fraction: 0.2 for epoch_selection: validation)
///     seeds: [1, 2]
///     model: {dim: 8, heads: 2}      # HTNetConfig keys; missing keys keep the paper's values
///                                    # model: {arch: ddamfn, num_heads: 2, conv4_blocks: 9} trains DDAMFN
///                                    # (DDAMFNConfig keys; training.optimizer/momentum/weight_decay/
///                                    # attention_weight/face_augment apply to it only)
///     training: {epochs: 2, lr: 1e-3}
///     epoch_selection: final         # or validation (inner split of the training subjects), or
///                                    # best-test-epoch (the reference protocol, optimistic)
///     classes: [I, II, III, IV, V, VI]   # optional; default negative, positive, surprise. Or a map
///                                    # file (CSV label,class) or {names: [...], map: FILE}
///     ordinal: true                  # optional: classes are grades in order (adds MAE and QWK)
///     keep: checkpoints              # optional: every task's weights under OUT/checkpoints
///     reference: {source: TEXT, uf1: {casme2: [0.81, 0.88]}}   # optional: published ranges for the report
///     variants:                      # optional; each overrides parts of model / training
///       - name: base
///       - {name: wide, model: {dim: 16}}
///
/// A relative dataset path in a file is resolved against the file's own folder, so an experiment means
/// the same data wherever it is started from; `dataOverride` (the `--data` flag) replaces the file's
/// dataset and is resolved against the current directory, as any command-line path.
public enum ExperimentFile {
    static let topLevelKeys = ["name", "description", "dataset", "protocol", "seeds", "model", "training",
                               "epoch_selection", "variants", "classes", "ordinal", "keep", "reference"]

    public static func load(path: String, dataOverride: String? = nil,
                            currentDirectory: String = FileManager.default.currentDirectoryPath) throws -> Experiment {
        let absolute = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: currentDirectory, isDirectory: true))
            .standardizedFileURL
        let text: String
        do { text = try String(contentsOfFile: absolute.path, encoding: .utf8) } catch {
            // Foundation says "not in the correct format" for both a missing file and a non-UTF-8 one.
            let readable = FileManager.default.contents(atPath: absolute.path) != nil
            throw ExperimentFileError(file: path, problems: [.init(field: "(file)", message: readable
                ? "is not UTF-8 text (save it as UTF-8)" : "cannot be read: \(error.localizedDescription)")])
        }
        let fileDirectory = absolute.deletingLastPathComponent().path
        return try parse(text, file: path, baseDirectory: fileDirectory,
                         dataOverride: dataOverride.map { ($0, currentDirectory) })
    }

    /// `baseDirectory` resolves the file's relative dataset path; `dataOverride` is (path, the
    /// directory it is relative to).
    public static func parse(_ text: String, file: String,
                             baseDirectory: String = FileManager.default.currentDirectoryPath,
                             dataOverride: (path: String, base: String)? = nil) throws -> Experiment {
        var parser = Parser(file: file, currentDirectory: baseDirectory, dataOverride: dataOverride)
        let experiment = parser.experiment(from: text)
        guard parser.problems.isEmpty, let experiment else {
            throw ExperimentFileError(file: file, problems: parser.problems)
        }
        return experiment
    }

    /// Walks the loaded YAML tree, collecting every problem instead of stopping at the first.
    struct Parser {
        let file: String
        let currentDirectory: String
        let dataOverride: (path: String, base: String)?
        var problems: [ExperimentFileError.Problem] = []

        mutating func problem(_ field: String, _ message: String) {
            problems.append(.init(field: field, message: message))
        }

        mutating func experiment(from text: String) -> Experiment? {
            let root: Any?
            do { root = try Yams.load(yaml: text) } catch {
                problem("(syntax)", "not valid YAML/JSON: \(error)")
                return nil
            }
            guard let top = root as? [String: Any] else {
                problem("(top level)", "must be a mapping of fields (name, dataset, protocol, seeds, model, training, ...)")
                return nil
            }
            for key in top.keys.sorted() where !ExperimentFile.topLevelKeys.contains(key) {
                problem(key, "unknown field (allowed: \(ExperimentFile.topLevelKeys.joined(separator: ", ")))")
            }
            let name = self.name(top["name"], field: "name", required: true) ?? ""
            let dataset: DatasetSpec?
            if let dataOverride { dataset = self.dataset(overriddenBy: dataOverride) } else { dataset = self.dataset(top["dataset"]) }
            let evaluation = self.evaluation(top["protocol"])
            let seeds = self.seeds(top["seeds"])
            var selection = EpochSelection.final
            if let raw = top["epoch_selection"] {
                if let s = raw as? String, let parsed = EpochSelection(rawValue: s) { selection = parsed } else {
                    problem("epoch_selection", "'\(raw)' is not one of: \(EpochSelection.allCases.map(\.rawValue).joined(separator: ", "))")
                }
            }
            let classes = self.classes(top["classes"], ordinal: top["ordinal"])
            if classes == nil, dataset?.kind == .syntheticFaces {
                problem("classes", "dataset synthetic-faces is graded I...VI: set classes: [I, II, III, IV, V, VI] (or a map file to fewer classes)")
            }
            if let classes, classes.map != nil, dataset?.kind == .synthetic || dataset?.kind == .syntheticExpressions {
                problem("classes.map", "a class map reads a dataset folder's labels; synthetic data is generated with the class names themselves")
            }
            let keep = self.keep(top["keep"])
            let reference = self.reference(top["reference"])
            let baseModel = mapping(top["model"], field: "model") ?? [:]
            let baseTraining = mapping(top["training"], field: "training") ?? [:]
            var variants: [ExperimentVariant] = []
            if let rawVariants = top["variants"] {
                guard let list = rawVariants as? [Any], !list.isEmpty else {
                    problem("variants", "must be a non-empty list of {name, model?, training?}")
                    return nil
                }
                var seen = Set<String>()
                for (i, raw) in list.enumerated() {
                    let field = "variants[\(i)]"
                    guard let entry = raw as? [String: Any] else { problem(field, "must be a mapping with a name"); continue }
                    for key in entry.keys.sorted() where !["name", "model", "training"].contains(key) {
                        problem("\(field).\(key)", "unknown field (a variant has name, model, training)")
                    }
                    guard let vname = self.name(entry["name"], field: "\(field).name", required: true) else { continue }
                    if !seen.insert(vname).inserted { problem("\(field).name", "'\(vname)' is used by another variant") }
                    let model = merged(baseModel, mapping(entry["model"], field: "\(field).model") ?? [:])
                    let training = merged(baseTraining, mapping(entry["training"], field: "\(field).training") ?? [:])
                    if let v = variant(vname, model: model, training: training, field: field, classes: classes) { variants.append(v) }
                }
            } else if let v = variant("base", model: baseModel, training: baseTraining, field: "", classes: classes) {
                variants.append(v)
            }
            guard problems.isEmpty, let dataset, let evaluation, let seeds else { return nil }
            return Experiment(name: name, dataset: dataset, evaluation: evaluation, seeds: seeds,
                              selection: selection, variants: variants, classes: classes, keep: keep,
                              reference: reference)
        }

        /// `keep: checkpoints` or a list of such names.
        mutating func keep(_ raw: Any?) -> [KeptArtifact]? {
            guard let raw else { return nil }
            let list: [Any] = (raw as? [Any]) ?? [raw]
            var kept: [KeptArtifact] = []
            for item in list {
                guard let s = item as? String, let k = KeptArtifact(rawValue: s) else {
                    problem("keep", "'\(item)' is not one of: \(KeptArtifact.allCases.map(\.rawValue).joined(separator: ", "))")
                    continue
                }
                if !kept.contains(k) { kept.append(k) }
            }
            return kept.isEmpty ? nil : kept
        }

        mutating func name(_ raw: Any?, field: String, required: Bool) -> String? {
            guard let raw else {
                if required { problem(field, "missing (letters, digits, '.', '_', '-')") }
                return nil
            }
            guard let s = raw as? String ?? (raw as? Int).map(String.init), !s.isEmpty,
                  s.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }),
                  s != ".", s != ".." else {
                problem(field, "'\(raw)' must be letters, digits, '.', '_' or '-' (it is used in paths and task ids)")
                return nil
            }
            return s
        }

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

        mutating func seeds(_ raw: Any?) -> [Int]? {
            guard let raw else { return [0] }
            let list: [Any] = (raw as? [Any]) ?? [raw]
            var seeds: [Int] = []
            for (i, item) in list.enumerated() {
                guard let n = item as? Int, n >= 0 else { problem("seeds[\(i)]", "'\(item)' must be a non-negative integer"); continue }
                seeds.append(n)
            }
            if list.isEmpty { problem("seeds", "must list at least one seed") }
            if Set(seeds).count != seeds.count { problem("seeds", "\(seeds) repeats a seed") }
            return seeds
        }

        mutating func mapping(_ raw: Any?, field: String) -> [String: Any]? {
            guard let raw else { return nil }
            guard let m = raw as? [String: Any] else { problem(field, "must be a mapping of keys to values"); return nil }
            return m
        }

        func merged(_ base: [String: Any], _ overrides: [String: Any]) -> [String: Any] {
            base.merging(overrides) { _, new in new }
        }

        /// Decodes the merged model/training mappings with the engine's own Codable types, rejects
        /// keys those types do not know (a typo must not silently fall back to a default), and checks
        /// the values.
        mutating func variant(_ name: String, model: [String: Any], training: [String: Any], field: String,
                              classes: ClassSpec? = nil) -> ExperimentVariant? {
            let prefix = field.isEmpty ? "" : field + "."
            var model = model
            let arch = model.removeValue(forKey: "arch") ?? "htnet"
            guard let archName = arch as? String, ["htnet", "ddamfn"].contains(archName) else {
                problem(prefix + "model.arch", "'\(arch)' is not one of: htnet, ddamfn")
                return nil
            }
            if archName == "ddamfn" { return ddamfnVariant(name, model: model, training: training, prefix: prefix, classes: classes) }
            guard var m: HTNetConfig = decode(model, field: prefix + "model"),
                  var t: TrainingConfig = decode(training, field: prefix + "training") else { return nil }
            for key in t.ddamfnOnlyKeys { problem(prefix + "training." + key, "applies to model.arch: ddamfn only") }
            // `classes:` sets the head's width unless the model names it (then the two must agree).
            if let classes {
                if model["num_classes"] == nil {
                    m.numClasses = classes.names.count
                } else if m.numClasses != classes.names.count {
                    problem(prefix + "model.num_classes", "\(m.numClasses) but classes: lists \(classes.names.count) (\(classes.names.joined(separator: ", ")))")
                }
            }
            resolveInitFrom(&t, prefix: prefix)
            for error in m.validationErrors() { problem(prefix + "model", error) }
            if t.epochs < 1 { problem(prefix + "training.epochs", "\(t.epochs) must be at least 1") }
            if t.batchSize < 1 { problem(prefix + "training.batch_size", "\(t.batchSize) must be at least 1") }
            if !(t.learningRate.isFinite && t.learningRate > 0) { problem(prefix + "training.lr", "\(t.learningRate) must be a positive number") }
            for (key, message) in t.lossSettingErrors() { problem(prefix + "training." + key, message) }
            for (key, message) in t.optimisationSettingErrors() { problem(prefix + "training." + key, message) }
            return ExperimentVariant(name: name, model: m, training: t)
        }

        /// `training.init_from` relative to the experiment file, as the dataset path; a missing file is a problem.
        mutating func resolveInitFrom(_ t: inout TrainingConfig, prefix: String) {
            guard let from = t.initFrom else { return }
            let path = URL(fileURLWithPath: from, relativeTo: URL(fileURLWithPath: currentDirectory, isDirectory: true)).standardizedFileURL.path
            if FileManager.default.fileExists(atPath: path) { t.initFrom = path } else {
                problem(prefix + "training.init_from", "'\(from)' does not exist (resolved to \(path)); give a checkpoint (safetensors)")
            }
        }

        /// `model.arch: ddamfn`: DDAMFNConfig keys, the reference's training defaults where the file
        /// names none (SGD, lr 0.01, momentum 0.9, weight decay 1e-4, attention weight 0.1).
        mutating func ddamfnVariant(_ name: String, model: [String: Any], training: [String: Any], prefix: String,
                                    classes: ClassSpec?) -> ExperimentVariant? {
            guard var d: DDAMFNConfig = decode(model, field: prefix + "model"),
                  var t: TrainingConfig = decode(training, field: prefix + "training") else { return nil }
            // The head's width is the experiment's class count (`classes:`, else the three MER classes
            // every experiment reads by default) unless the model names it.
            if model["num_classes"] == nil { d.classes = classes?.names.count ?? LoadOptions.threeClassMER.count }
            if let classes {
                if d.classes != classes.names.count {
                    problem(prefix + "model.num_classes", "\(d.classes) but classes: lists \(classes.names.count) (\(classes.names.joined(separator: ", ")))")
                }
            }
            for error in d.validationErrors() { problem(prefix + "model", error) }
            resolveInitFrom(&t, prefix: prefix)
            if training["lr"] == nil { t.learningRate = 0.01 }
            t.optimizer = t.optimizer ?? .sgd
            if t.optimizer == .sgd { t.momentum = t.momentum ?? 0.9 }
            t.weightDecay = t.weightDecay ?? 1e-4
            t.attentionWeight = t.attentionWeight ?? 0.1
            t.faceAugment = t.faceAugment ?? FaceAugmentation()
            if t.epochs < 1 { problem(prefix + "training.epochs", "\(t.epochs) must be at least 1") }
            if t.batchSize < 2 { problem(prefix + "training.batch_size", "\(t.batchSize): DDAMFN trains in batch-norm mode and needs batches of at least 2") }
            if !(t.learningRate.isFinite && t.learningRate > 0) { problem(prefix + "training.lr", "\(t.learningRate) must be a positive number") }
            if let m = t.momentum, !(m >= 0 && m < 1) { problem(prefix + "training.momentum", "\(m) must be in [0, 1)") }
            if t.optimizer == .adam, training["momentum"] != nil { problem(prefix + "training.momentum", "applies to optimizer: sgd only") }
            if let wd = t.weightDecay, !(wd >= 0 && wd.isFinite) { problem(prefix + "training.weight_decay", "\(wd) must be at least 0") }
            if let a = t.attentionWeight, !(a >= 0 && a.isFinite) { problem(prefix + "training.attention_weight", "\(a) must be at least 0") }
            if t.loss != .crossEntropy { problem(prefix + "training.loss", "DDAMFN trains with cross-entropy (+ attention_weight x the attention loss)") }
            if t.order == .classGrouped { problem(prefix + "training.order", "class-grouped is HTNet's reference order; DDAMFN takes csv or shuffle") }
            for (key, message) in t.noiseSettingErrors() { problem(prefix + "training." + key, message) }
            if t.augment != nil { problem(prefix + "training.augment", "is HTNet's augmentation; DDAMFN takes face_augment: {crop, flip, erasing}") }
            if t.lrSchedule != nil { problem(prefix + "training.lr_schedule", "is HTNet-only for now; DDAMFN trains at a constant lr") }
            if t.initRNG != .splitmix || t.initScope != .fold { problem(prefix + "training", "init_rng / init_scope are HTNet-only; DDAMFN starts from the task's own draw") }
            return ExperimentVariant(name: name, model: HTNetConfig(numClasses: d.classes), training: t, ddamfn: d)
        }

        mutating func decode<T: Codable>(_ values: [String: Any], field: String) -> T? {
            // NaN and infinities cannot travel through JSON: name them before trying.
            var nonFinite = false
            for key in values.keys.sorted() {
                let numbers = (values[key] as? [Any] ?? [values[key] as Any]).compactMap { $0 as? Double }
                if let bad = numbers.first(where: { !$0.isFinite }) {
                    problem(field + "." + key, "expected a finite number, got \(bad)")
                    nonFinite = true
                }
            }
            if nonFinite { return nil }
            let data: Data
            do { data = try JSONSerialization.data(withJSONObject: jsonCompatible(values)) } catch {
                problem(field, "cannot be read: \(error)")
                return nil
            }
            let value: T
            do { value = try JSONDecoder().decode(T.self, from: data) } catch let DecodingError.typeMismatch(type, context) {
                problem(field + "." + context.codingPath.map(\.stringValue).joined(separator: "."), "expected \(describe(type))")
                return nil
            } catch let DecodingError.dataCorrupted(context) {
                let key = context.codingPath.map(\.stringValue).joined(separator: ".")
                let fractional = key.isEmpty ? fractionalWhereIntegerExpected(values, as: T.self) : []
                if fractional.isEmpty {
                    problem(key.isEmpty ? field : field + "." + key,
                            Self.enumeratedValueMessage(key: context.codingPath.last?.stringValue, context.debugDescription) ?? context.debugDescription)
                }
                for (k, v) in fractional { problem(field + "." + k, "expected an integer, got \(v)") }
                return nil
            } catch {
                problem(field, "\(error)")
                return nil
            }
            // Keys the type does not encode are keys it does not know.
            let known = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(value))) as? [String: Any] ?? [:]
            for key in values.keys.sorted() where known[key] == nil {
                problem(field + "." + key, "unknown field (known: \(known.keys.sorted().joined(separator: ", ")))")
            }
            return value
        }

        /// The values of the file's enumerated keys (by key name), so a wrong one is answered with the
        /// list; the JSON decoder names only the Swift type ("Cannot initialize Kind from invalid
        /// String value linear").
        static let enumeratedValues: [String: [String]] = [
            "kind": LearningRateSchedule.Kind.allCases.map(\.rawValue),
            "optimizer": OptimizerKind.allCases.map(\.rawValue),
            "init_rng": InitialisationRNG.allCases.map(\.rawValue),
            "init_scope": InitialisationScope.allCases.map(\.rawValue),
            "fusion": FusionKind.allCases.map(\.rawValue),
            "loss": LossKind.allCases.map(\.rawValue),
            "order": TrainingOrder.allCases.map(\.rawValue),
            "margin_unit": ["degrees", "radians"],
        ]

        static func enumeratedValueMessage(key: String?, _ decoderMessage: String) -> String? {
            let prefix = "invalid String value "
            guard let key, let allowed = enumeratedValues[key], let range = decoderMessage.range(of: prefix) else { return nil }
            return "'\(decoderMessage[range.upperBound...])' is not one of: \(allowed.joined(separator: ", "))"
        }

        /// Keys whose fractional number is the problem: the JSON decoder reports a number that does not
        /// fit an integer field without naming the field. With every fractional value rounded the
        /// values must decode; a key is named when rounding all the others is not enough.
        func fractionalWhereIntegerExpected<T: Codable>(_ values: [String: Any], as type: T.Type) -> [(String, Any)] {
            func rounded(_ value: Any) -> Any? {
                if let d = value as? Double, d != d.rounded() { return Int(d) }
                if let list = value as? [Any], list.contains(where: { ($0 as? Double).map { $0 != $0.rounded() } ?? false }) {
                    return list.map { ($0 as? Double).map { Int($0) as Any } ?? $0 }
                }
                return nil
            }
            func decodes(_ trial: [String: Any]) -> Bool {
                guard let data = try? JSONSerialization.data(withJSONObject: jsonCompatible(trial)) else { return false }
                return (try? JSONDecoder().decode(T.self, from: data)) != nil
            }
            let candidates = values.keys.sorted().filter { rounded(values[$0]!) != nil }
            var allRounded = values
            for key in candidates { allRounded[key] = rounded(values[key]!) }
            guard !candidates.isEmpty, decodes(allRounded) else { return [] }
            return candidates.compactMap { key in
                var trial = allRounded
                trial[key] = values[key]
                return decodes(trial) ? nil : (key, values[key]!)
            }
        }

        func jsonCompatible(_ value: Any) -> Any {
            switch value {
            case let m as [String: Any]: return m.mapValues(jsonCompatible)
            case let a as [Any]: return a.map(jsonCompatible)
            case let b as Bool: return NSNumber(value: b)
            case let i as Int: return NSNumber(value: i)
            case let d as Double: return NSNumber(value: d)
            case is NSNull: return NSNull()
            case let s as String: return s
            default: return "\(value)"
            }
        }

        func describe(_ type: Any.Type) -> String {
            switch type {
            case is Int.Type, is [Int].Type: return type == Int.self ? "an integer" : "a list of integers"
            case is Float.Type, is Double.Type: return "a number"
            case is Bool.Type: return "true or false"
            default: return "\(type)"
            }
        }
    }
}
