import Tensor

/// One named parameter tensor inside the model's single contiguous parameter buffer.
public struct ParameterSlot: Sendable, Equatable {
    public let name: String
    public let shape: [Int]
    public let offset: Int
    public var count: Int { shape.reduce(1, *) }
    /// How PyTorch initialises it (docs/DESIGN.md section 3).
    public let initialisation: Initialisation

    public enum Initialisation: Sendable, Equatable {
        /// A conv / linear weight: `kaiming_uniform_(a = sqrt(5))`, i.e. U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
        case weight(fanIn: Int)
        /// A conv / linear bias: `uniform_(-1/sqrt(fan_in), 1/sqrt(fan_in))`, fan_in of its weight.
        case bias(fanIn: Int)
        case ones, zeros             // LayerNorm g and b
        case standardNormal          // pos_emb
        case normal(std: Float)      // metric-loss class vectors (see ParameterLayout.init)
    }
}

/// Where every HTNet parameter lives in the one contiguous buffer, under the reference
/// state_dict's names and shapes (so checkpoints load into the reference model unchanged).
///
/// One buffer for all parameters (as in llm.c) makes Adam a single pass and checkpointing a copy.
public struct ParameterLayout: Sendable {
    public private(set) var slots: [ParameterSlot] = []
    public private(set) var count = 0
    private var index: [String: Int] = [:]

    /// `head` decides what follows mlp_head.0: the reference's classifier (mlp_head.2) or an
    /// embedding with a metric loss's class vectors, initialised as pytorch-metric-learning 2.9.0
    /// does by default: proxies [classes, E] from kaiming_normal_(mode "fan_out"), i.e. N(0, 2 / classes);
    /// W [E, classes] from normal_, i.e. N(0, 1).
    /// `fusion` (classifier head only; FusionHead) gives mlp_head.2 the fused width as its input and
    /// appends the fusion's `fusion.*` parameters after it; nil or `none` is the reference layout.
    public init(config c: HTNetConfig, head: ModelHead = .classifier, fusion: FusionSpec? = nil) {
        let patchFan = c.patchDim
        add("to_patch_embedding.1.weight", [c.dim, c.patchDim, 1, 1], .weight(fanIn: patchFan))
        add("to_patch_embedding.1.bias", [c.dim], .bias(fanIn: patchFan))
        for level in 0..<c.numHierarchies {
            let ch = c.channels(level: level)
            let inner = c.innerDim(level: level)
            let hidden = ch * c.mlpMult
            let t = "layers.\(level).0"
            add("\(t).pos_emb", [c.seqLen], .standardNormal)
            for i in 0..<c.blockRepeats[level] {
                let a = "\(t).layers.\(i).0"
                add("\(a).norm.g", [1, ch, 1, 1], .ones)
                add("\(a).norm.b", [1, ch, 1, 1], .zeros)
                add("\(a).fn.to_qkv.weight", [3 * inner, ch, 1, 1], .weight(fanIn: ch))
                add("\(a).fn.to_out.0.weight", [ch, inner, 1, 1], .weight(fanIn: inner))
                add("\(a).fn.to_out.0.bias", [ch], .bias(fanIn: inner))
                let f = "\(t).layers.\(i).1"
                add("\(f).norm.g", [1, ch, 1, 1], .ones)
                add("\(f).norm.b", [1, ch, 1, 1], .zeros)
                add("\(f).fn.net.0.weight", [hidden, ch, 1, 1], .weight(fanIn: ch))
                add("\(f).fn.net.0.bias", [hidden], .bias(fanIn: ch))
                add("\(f).fn.net.3.weight", [ch, hidden, 1, 1], .weight(fanIn: hidden))
                add("\(f).fn.net.3.bias", [ch], .bias(fanIn: hidden))
            }
            if level < c.numHierarchies - 1 {
                let out = c.channels(level: level + 1)
                add("layers.\(level).1.0.weight", [out, ch, 3, 3], .weight(fanIn: ch * 9))
                add("layers.\(level).1.0.bias", [out], .bias(fanIn: ch * 9))
                add("layers.\(level).1.1.g", [1, out, 1, 1], .ones)
                add("layers.\(level).1.1.b", [1, out, 1, 1], .zeros)
            }
        }
        let top = c.topChannels
        add("mlp_head.0.g", [1, top, 1, 1], .ones)
        add("mlp_head.0.b", [1, top, 1, 1], .zeros)
        switch head {
        case .classifier:
            let fused = fusion.flatMap { $0.kind == .none ? nil : $0 }
            let input = fused.map { $0.kind.isLate ? top : $0.outputWidth(embedding: top, classes: c.numClasses) } ?? top
            add("mlp_head.2.weight", [c.numClasses, input], .weight(fanIn: input))
            add("mlp_head.2.bias", [c.numClasses], .bias(fanIn: input))
            for (name, shape, initialisation) in fused?.parameterSlots(embedding: top, classes: c.numClasses) ?? [] {
                add(name, shape, initialisation)
            }
        case let .metric(embeddingSize, classVectors):
            if let e = embeddingSize {
                add(ModelHead.projectionWeightName, [e, top], .weight(fanIn: top))
                add(ModelHead.projectionBiasName, [e], .bias(fanIn: top))
            }
            let e = head.embeddingWidth(c), name = ModelHead.classVectorName(classVectors)
            switch classVectors {
            case .classMajor: add(name, [c.numClasses, e], .normal(std: (2 / Float(c.numClasses)).squareRoot()))
            case .dimensionMajor: add(name, [e, c.numClasses], .normal(std: 1))
            }
        }
    }

    private mutating func add(_ name: String, _ shape: [Int], _ initialisation: ParameterSlot.Initialisation) {
        let slot = ParameterSlot(name: name, shape: shape, offset: count, initialisation: initialisation)
        index[name] = slots.count
        slots.append(slot)
        count += slot.count
    }

    public subscript(name: String) -> ParameterSlot {
        guard let i = index[name] else { preconditionFailure("HTNet has no parameter named \(name)") }
        return slots[i]
    }

    public func slot(named name: String) -> ParameterSlot? { index[name].map { slots[$0] } }

    /// Fills `buffer` with PyTorch's default distributions drawn from our own SplitMix64 stream
    /// (`training.init_rng: splitmix`): same bounds and shapes as torch, not torch's numbers.
    public func initialise(_ buffer: UnsafeMutablePointer<Float>, rng: inout DeterministicRNG) {
        for slot in slots {
            let p = buffer + slot.offset
            switch slot.initialisation {
            case let .weight(fanIn), let .bias(fanIn):
                let bound = 1 / Float(fanIn).squareRoot()
                for i in 0..<slot.count { p[i] = rng.uniform(-bound, bound) }
            case .ones: p.update(repeating: 1, count: slot.count)
            case .zeros: p.update(repeating: 0, count: slot.count)
            case .standardNormal: for i in 0..<slot.count { p[i] = rng.normal() }
            case let .normal(std): for i in 0..<slot.count { p[i] = std * rng.normal() }
            }
        }
    }
}
