import FoldResults
import Foundation
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

    }
}
