import Tensor

/// One named parameter tensor in the model's contiguous parameter buffer.
public struct DDAMFNParameter: Sendable, Equatable {
    public enum Initialisation: Sendable, Equatable {
        /// PyTorch's default for conv / linear weights and biases: U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
        case uniform(bound: Float)
        case constant(Float)
    }
    public let name: String
    public let shape: [Int]
    public let offset: Int
    /// False for the parameters the reference creates but never applies (MixConv's `bn` and
    /// `prelu`, each head's `Linear`, the top `bn`): they get no gradient and optimizers skip them.
    public let used: Bool
    public let initialisation: Initialisation
    public var count: Int { shape.reduce(1, *) }
}

/// One BatchNorm's buffers: running mean and variance (side by side in the statistics buffer) and
/// its num_batches_tracked counter.
public struct DDAMFNBatchNormBuffers: Sendable, Equatable {
    /// State-dict prefix, e.g. `features.0.bn`.
    public let prefix: String
    public let channels: Int
    /// Offset of running_mean; running_var follows at offset + channels.
    public let offset: Int
    /// Index of its num_batches_tracked counter.
    public let counter: Int
}

/// Where every parameter and BatchNorm buffer lives, under the reference state-dict names, in the
/// order the model's layers register them. Built by the layers themselves as the model is built,
/// so a layer's offsets and the table cannot disagree.
public final class ParameterTable {
    public private(set) var parameters: [DDAMFNParameter] = []
    public private(set) var parameterCount = 0
    public private(set) var batchNorms: [DDAMFNBatchNormBuffers] = []
    public private(set) var statisticsCount = 0
    /// Multiply-accumulates of one sample's forward pass in convolutions and `fc` (elementwise work
    /// not counted), and of its backward (dW always, dX where the input needs a gradient): the
    /// layers record them here as they are built, so the cost model follows the model.
    public private(set) var forwardMACsPerSample = 0
    public private(set) var backwardMACsPerSample = 0
    private var index: [String: Int] = [:]

    init() {}

    func addWork(_ macs: Int, needsInputGradient: Bool = true) {
        forwardMACsPerSample += macs
        backwardMACsPerSample += needsInputGradient ? 2 * macs : macs
    }

    /// Registers a parameter; returns its offset.
    func add(_ name: String, _ shape: [Int], _ initialisation: DDAMFNParameter.Initialisation, used: Bool = true) -> Int {
        precondition(index[name] == nil, "DDAMFN parameter \(name) registered twice")
        let p = DDAMFNParameter(name: name, shape: shape, offset: parameterCount, used: used, initialisation: initialisation)
        index[name] = parameters.count
        parameters.append(p)
        parameterCount += p.count
        return p.offset
    }

    /// A convolution (or linear) weight with PyTorch's default bound 1/sqrt(fan_in).
    func weight(_ name: String, _ shape: [Int], used: Bool = true) -> Int {
        let fanIn = shape.dropFirst().reduce(1, *)
        return add(name, shape, .uniform(bound: 1 / Float(fanIn).squareRoot()), used: used)
    }

    /// A bias beside a weight of the given fan-in.
    func bias(_ name: String, _ count: Int, fanIn: Int) -> Int {
        add(name, [count], .uniform(bound: 1 / Float(fanIn).squareRoot()))
    }

    /// A BatchNorm: weight (ones), bias (zeros) and its buffers (running mean 0, variance 1).
    func batchNorm(_ prefix: String, _ channels: Int, used: Bool = true) -> (weight: Int, bias: Int, buffers: DDAMFNBatchNormBuffers) {
        let w = add(prefix + ".weight", [channels], .constant(1), used: used)
        let b = add(prefix + ".bias", [channels], .constant(0), used: used)
        let buffers = DDAMFNBatchNormBuffers(prefix: prefix, channels: channels, offset: statisticsCount, counter: batchNorms.count)
        batchNorms.append(buffers)
        statisticsCount += 2 * channels
        return (w, b, buffers)
    }

    public func parameter(named name: String) -> DDAMFNParameter? { index[name].map { parameters[$0] } }

    /// Values in parameters the model applies (the trainable size).
    public var usedCount: Int { parameters.filter(\.used).reduce(0) { $0 + $1.count } }

    /// Contiguous ranges of used parameters, merged, in buffer order: what optimizers step over.
    public var usedRanges: [Range<Int>] {
        var ranges: [Range<Int>] = []
        for p in parameters where p.used {
            if let last = ranges.last, last.upperBound == p.offset {
                ranges[ranges.count - 1] = last.lowerBound..<(p.offset + p.count)
            } else {
                ranges.append(p.offset..<(p.offset + p.count))
            }
        }
        return ranges
    }

    /// Fills `buffer` as PyTorch's default initialisation would (same distributions, not its RNG).
    public func initialise(_ buffer: UnsafeMutablePointer<Float>, rng: inout DeterministicRNG) {
        for p in parameters {
            let v = buffer + p.offset
            switch p.initialisation {
            case let .uniform(bound): for i in 0..<p.count { v[i] = rng.uniform(-bound, bound) }
            case let .constant(c): v.update(repeating: c, count: p.count)
            }
        }
    }

    /// Running means 0, variances 1 (PyTorch's starting buffers).
    public func resetStatistics(_ statistics: UnsafeMutablePointer<Float>) {
        for bn in batchNorms {
            (statistics + bn.offset).update(repeating: 0, count: bn.channels)
            (statistics + bn.offset + bn.channels).update(repeating: 1, count: bn.channels)
        }
    }
}
