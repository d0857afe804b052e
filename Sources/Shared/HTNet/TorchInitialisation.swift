import Foundation
import Tensor

/// Which generator draws a fresh model's initial weights (`training.init_rng`).
public enum InitialisationRNG: String, Codable, Sendable, CaseIterable {
    /// PyTorch's CPU generator: the weights of `torch.manual_seed(seed); HTNet(...)`, bit for bit,
    /// so "seed 1" means the reference's seed 1.
    case torch
    /// Our SplitMix64 stream keyed by the task (the same distributions, other numbers).
    case splitmix
}

/// Which tasks share one set of initial weights (`training.init_scope`).
public enum InitialisationScope: String, Codable, Sendable, CaseIterable {
    /// One set per (variant, seed), shared by every fold of that seed, as the reference script does
    /// (it seeds once, then builds each fold's model from the same starting point).
    case seed
    /// A set per task (per fold), drawn from a stream keyed by the task.
    case fold
}

extension ParameterLayout {
    /// Fills `buffer` exactly as `torch.manual_seed(seed); HTNet(...)` does on the CPU: the layout's
    /// slots are in the reference's registration order, which is also its construction order (each
    /// `nn.Conv2d` / `nn.Linear` draws its weight, then its bias, when built; each Transformer's
    /// `pos_emb = torch.randn(seq_len)` is drawn before its layers; the LayerNorms draw nothing).
    /// Bounds are computed in double as torch.nn.init computes them, then cast to float.
    public func initialiseAsTorch(_ buffer: UnsafeMutablePointer<Float>, seed: UInt64) {
        var generator = TorchGenerator(seed: seed)
        for slot in slots {
            let p = buffer + slot.offset
            switch slot.initialisation {
            case let .weight(fanIn):
                // kaiming_uniform_(w, a=sqrt(5)): gain = sqrt(2 / (1 + a^2)), bound = sqrt(3) * gain / sqrt(fan_in).
                let a = 5.0.squareRoot()
                let gain = (2.0 / (1 + a * a)).squareRoot()
                let bound = 3.0.squareRoot() * (gain / Double(fanIn).squareRoot())
                generator.uniform(p, count: slot.count, from: -bound, to: bound)
            case let .bias(fanIn):
                let bound = 1 / Double(fanIn).squareRoot()
                generator.uniform(p, count: slot.count, from: -bound, to: bound)
            case .ones: p.update(repeating: 1, count: slot.count)
            case .zeros: p.update(repeating: 0, count: slot.count)
            case .standardNormal: generator.normal(p, count: slot.count)
            case let .normal(std):
                // A metric loss's class vectors (not in the reference HTNet): torch.nn.init.normal_(std),
                // drawn after the network as a separate loss module would be.
                generator.normal(p, count: slot.count)
                for i in 0..<slot.count { p[i] *= std }
            }
        }
    }
}

extension HTNetModel {
    /// The reference's initial weights for `torch.manual_seed(seed)` (see `initialiseAsTorch`).
    public func initialiseAsTorch(seed: UInt64) {
        layout.initialiseAsTorch(parameters.pointer, seed: seed)
    }
}
