import Tensor

/// Where a fold's model starts: resolved once per task from `training.init_rng` /
/// `training.init_scope` and the task's identity, so any worker draws the same weights.
public enum StartingWeights: Codable, Equatable, Sendable {
    /// `torch.manual_seed(seed); HTNet(...)`, bit for bit.
    case torch(seed: UInt64)
    /// PyTorch's distributions from our SplitMix64 stream keyed by `keys`.
    case splitmix(keys: [UInt64])

    /// The stream id appended to a task's keys for its initial weights (kept from the first
    /// version of FoldTrainer, so `splitmix` / `fold` draws exactly what it always drew).
    static let initialisationStream: UInt64 = 1
    /// The stream id from which `torch` / `fold` derives a per-task torch seed.
    static let torchSeedStream: UInt64 = 3

    /// - seed: the experiment's seed number (the reference's `torch.manual_seed` argument).
    /// - seedKeys: the keys of the (experiment, variant, seed); foldKey: the fold's key.
    /// `seed` scope leaves the fold out: every fold of a seed starts from the same weights.
    public static func resolve(rng: InitialisationRNG, scope: InitialisationScope, seed: Int,
                               seedKeys: [UInt64], foldKey: UInt64) -> StartingWeights {
        switch (rng, scope) {
        case (.torch, .seed): return .torch(seed: UInt64(truncatingIfNeeded: seed))
        case (.torch, .fold):
            var derive = DeterministicRNG(keys: seedKeys + [foldKey, torchSeedStream])
            return .torch(seed: derive.next())
        case (.splitmix, .seed): return .splitmix(keys: seedKeys + [initialisationStream])
        case (.splitmix, .fold): return .splitmix(keys: seedKeys + [foldKey, initialisationStream])
        }
    }

    /// Fills the model's parameters.
    public func initialise(_ model: HTNetModel) {
        switch self {
        case let .torch(seed): model.initialiseAsTorch(seed: seed)
        case let .splitmix(keys):
            var rng = DeterministicRNG(keys: keys)
            model.initialise(rng: &rng)
        }
    }

    public var description: String {
        switch self {
        case let .torch(seed): return "torch.manual_seed(\(seed))"
        case let .splitmix(keys): return "splitmix64 keys \(keys)"
        }
    }
}
