import Foundation
import Tensor

/// Compares `init_rng: torch` with a dump of the reference's initial weights
/// (htnet-torch-init.safetensors format, fixtures README): header metadata `models` lists, per
/// model, its `tag`, `dim`, `block_repeats`, `seed` (and optionally image_size, patch_size, heads,
/// num_hierarchies, num_classes; defaults 28, 7, 3, 3, 3); tensors are `<tag>.<state_dict name>`.
/// Tolerance: none; every value must be bit-identical.
public enum InitialWeightParity {
    public struct ModelResult: Sendable {
        public let tag: String
        public let config: HTNetConfig
        public let seed: UInt64
        public let tensors: Int
        /// Names of the tensors with at least one value whose bits differ, or that are missing.
        public let mismatched: [String]
        public let differingValues: Int
        public var passed: Bool { mismatched.isEmpty }
    }

    struct ModelEntry: Decodable {
        let tag: String
        let dim: Int
        let block_repeats: [Int]
        let seed: UInt64
        let image_size: Int?
        let patch_size: Int?
        let heads: Int?
        let num_hierarchies: Int?
        let num_classes: Int?
    }

    /// True when the file looks like an initial-weight fixture (a `models` entry in its metadata).
    public static func isInitialWeightFixture(_ file: SafeTensorsFile) -> Bool { file.metadata["models"] != nil }

    public static func run(fixturePath path: String) throws -> [ModelResult] {
        try run(file: SafeTensorsFile.read(path: path), source: path)
    }

    public static func run(file: SafeTensorsFile, source path: String) throws -> [ModelResult] {
        guard let text = file.metadata["models"], let data = text.data(using: .utf8) else {
            throw ParityCheck.Failure.badFixture(path, "no `models` entry in the header metadata")
        }
        let entries: [ModelEntry]
        do { entries = try JSONDecoder().decode([ModelEntry].self, from: data) } catch {
            throw ParityCheck.Failure.badFixture(path, "`models` metadata: \(error)")
        }
        return try entries.map { e in
            let config = HTNetConfig(imageSize: e.image_size ?? 28, patchSize: e.patch_size ?? 7, dim: e.dim,
                                     heads: e.heads ?? 3, numHierarchies: e.num_hierarchies ?? 3,
                                     blockRepeats: e.block_repeats, numClasses: e.num_classes ?? 3)
            let errors = config.validationErrors()
            guard errors.isEmpty else { throw ParityCheck.Failure.badFixture(path, "model \(e.tag): " + errors.joined(separator: "; ")) }
            let layout = ParameterLayout(config: config)
            let buffer = FloatBuffer(count: layout.count)
            layout.initialiseAsTorch(buffer.pointer, seed: e.seed)
            var mismatched: [String] = [], differing = 0
            let expectedNames = Set(layout.slots.map { "\(e.tag).\($0.name)" })
            for slot in layout.slots {
                guard let stored = file.tensors["\(e.tag).\(slot.name)"], stored.shape == slot.shape else {
                    mismatched.append(slot.name + " (missing or other shape)")
                    continue
                }
                let ref = stored.floats
                var bad = 0
                for i in 0..<slot.count where buffer[slot.offset + i].bitPattern != ref[i].bitPattern { bad += 1 }
                if bad > 0 { mismatched.append(slot.name); differing += bad }
            }
            // A tensor of this model in the file that the engine does not have is a mismatch too.
            for name in file.tensors.keys where name.hasPrefix(e.tag + ".") && !expectedNames.contains(name) {
                mismatched.append(String(name.dropFirst(e.tag.count + 1)) + " (not in the engine's layout)")
            }
            return ModelResult(tag: e.tag, config: config, seed: e.seed, tensors: layout.slots.count,
                               mismatched: mismatched, differingValues: differing)
        }
    }
}
