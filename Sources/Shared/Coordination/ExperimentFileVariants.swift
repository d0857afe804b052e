import DDAMFN
import Dataset
import Foundation
import HTNet

/// The experiment file's variants: `model:` and `training:` decoded with the engines' own Codable
/// types, unknown keys and wrong values named by key.
extension ExperimentFile.Parser {
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
        "margin_unit": AngleUnit.allCases.map(\.rawValue),
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
