import Foundation

/// How a variant trained, as every report states it: the batch order and the starting point
/// (`training.order`, `training.init_rng`, `training.init_scope`), read from the resolved
/// configuration the journal holds. A key absent from the configuration (a journal written before
/// these options existed) shows its default then: csv, splitmix, fold.
public struct VariantTrainingProtocol: Codable, Equatable, Sendable {
    public var variant: String
    public var order: String
    public var initRNG: String
    public var initScope: String
    /// The optimiser, its learning-rate schedule and the training-input augmentation, as configured
    /// (training.weight_decay, lr_schedule, augment); nil for configurations without any of them.
    public var optimisation: String?
    /// "DDAMFN (...)" for `model.arch: ddamfn` variants with their optimiser, loss weight and
    /// augmentation; nil for HTNet (and in reports written before DDAMFN existed).
    public var model: String?

    /// One entry per variant of the configuration JSON (`variants[].name`, `variants[].training`).
    public static func parse(configuration: String) -> [VariantTrainingProtocol] {
        guard let data = configuration.data(using: .utf8),
              let top = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let variants = top["variants"] as? [[String: Any]] else { return [] }
        return variants.map { v in
            let training = v["training"] as? [String: Any] ?? [:]
            return VariantTrainingProtocol(variant: v["name"] as? String ?? "?",
                                           order: training["order"] as? String ?? "csv",
                                           initRNG: training["init_rng"] as? String ?? "splitmix",
                                           initScope: training["init_scope"] as? String ?? "fold",
                                           optimisation: v["ddamfn"] == nil ? optimisationNote(training) : nil,
                                           model: (v["ddamfn"] as? [String: Any]).map { ddamfnNote($0, training: training) })
        }
    }

    /// "AdamW (decoupled weight decay 0.05), lr 0.002, schedule {...}; augment {...}" from the
    /// training mapping; nil when it sets none of weight_decay, lr_schedule, augment.
    static func optimisationNote(_ training: [String: Any]) -> String? {
        guard training["weight_decay"] != nil || training["lr_schedule"] != nil || training["augment"] != nil else { return nil }
        func json(_ value: Any) -> String {
            guard JSONSerialization.isValidJSONObject(value),
                  let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]) else { return "\(value)" }
            return String(decoding: data, as: UTF8.self)
        }
        let decay = (training["weight_decay"] as? Double) ?? 0
        var parts = [decay > 0 ? "AdamW (torch convention, decoupled weight decay \(decay))" : "Adam"]
        if let lr = training["lr"] { parts[0] += ", lr \(lr)" }
        parts.append("lr schedule per epoch: " + (training["lr_schedule"].map(json) ?? "constant"))
        parts.append("augmentation: " + (training["augment"].map(json) ?? "none") + " (no flip unless flip: true)")
        return parts.joined(separator: "; ")
    }

    /// DDAMFN's shape and training settings from the resolved configuration.
    static func ddamfnNote(_ d: [String: Any], training t: [String: Any]) -> String {
        func num(_ key: String) -> String { (t[key] as? NSNumber).map { "\($0)" } ?? "?" }
        let optimizer = t["optimizer"] as? String ?? "sgd"
        let augment = (t["face_augment"] as? [String: Any]).map { a in
            ["crop", "flip", "erasing"].filter { (a[$0] as? Bool) ?? true }.joined(separator: ", ")
        } ?? "crop, flip, erasing"
        return "DDAMFN (\(d["num_heads"] ?? "?") heads, conv4_blocks \(d["conv4_blocks"] ?? "?"), \(d["num_classes"] ?? "?") classes); "
            + "\(optimizer == "sgd" ? "SGD lr \(num("lr")), momentum \(num("momentum"))" : "Adam lr \(num("lr"))"), weight decay \(num("weight_decay")); "
            + "CE + \(num("attention_weight")) x attention loss; augmentation: \(augment.isEmpty ? "none" : augment)"
    }

    public var orderNote: String {
        switch order {
        case "class-grouped": return "class-grouped (label 0, then 1, then 2, each in dataset order: the reference script's order)"
        case "shuffle": return "shuffled every epoch (seeded by task and epoch)"
        default: return "dataset (CSV) order"
        }
    }

    public var startNote: String {
        let rng = initRNG == "torch" ? "PyTorch's generator (torch.manual_seed, bit-identical to the reference)" : "our SplitMix64 stream"
        let scope = initScope == "seed" ? "one set per seed, shared by every fold (as the reference)" : "a set per fold"
        return "\(rng); \(scope)"
    }
}

/// Test accuracy after every epoch per source dataset: each fold's test accuracy weighted by its
/// test samples, pooled over the folds whose test samples come from that dataset (a LOSO subject
/// belongs to one dataset) and over seeds. Makes epoch-to-epoch oscillation visible (class-grouped
/// training swings more than CSV order).
public struct DatasetCurve: Codable, Equatable, Sendable {
    public struct Point: Codable, Equatable, Sendable {
        public var epoch: Int
        public var accuracy: Double
        public var samples: Int
    }
    public var variant: String
    public var dataset: String
    public var points: [Point]

    static func curves(run: RunRecord) -> [DatasetCurve] {
        // Test samples of each (variant, seed, fold) per dataset, from the prediction rows.
        struct Key: Hashable { var variant: String; var seed: Int; var fold: String }
        var counts: [Key: [String: Int]] = [:]
        for r in run.rows { counts[Key(variant: r.variant, seed: r.seed, fold: r.fold), default: [:]][r.dataset, default: 0] += 1 }
        var sums: [String: [String: [Int: (correct: Double, n: Int)]]] = [:]
        for c in run.curves {
            for (dataset, n) in counts[Key(variant: c.variant, seed: c.seed, fold: c.fold)] ?? [:] {
                for e in c.epochs {
                    // A fold holding several datasets' samples (k-fold) has one accuracy for all of them;
                    // under LOSO a fold is one subject of one dataset, so this is exact.
                    let old = sums[c.variant, default: [:]][dataset, default: [:]][e.epoch] ?? (0, 0)
                    sums[c.variant, default: [:]][dataset, default: [:]][e.epoch] = (old.correct + e.testAccuracy * Double(n), old.n + n)
                }
            }
        }
        return orderedUnique(run.curves.map(\.variant)).flatMap { v in
            (sums[v] ?? [:]).keys.sorted().map { d in
                let byEpoch = sums[v]![d]!
                return DatasetCurve(variant: v, dataset: d, points: byEpoch.keys.sorted().map { e in
                    Point(epoch: e, accuracy: byEpoch[e]!.correct / Double(max(1, byEpoch[e]!.n)), samples: byEpoch[e]!.n)
                })
            }
        }
    }
}
