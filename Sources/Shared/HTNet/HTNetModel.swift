import Tensor

/// HTNet with explicit forward and backward passes over one contiguous parameter buffer and one
/// gradient buffer of the same layout (docs/DESIGN.md section 3).
///
/// Every activation buffer is allocated here, once, for `maxBatch` samples; a smaller batch uses a
/// prefix of each. `forward` keeps what `backward` needs, so they must be called in that order.
public final class HTNetModel {
    public let config: HTNetConfig
    public let layout: ParameterLayout
    public let maxBatch: Int
    public let parameters: FloatBuffer
    public let gradients: FloatBuffer

    let embedding: PatchEmbedding
    let levels: [TransformerLevel]
    let aggregates: [Aggregate]
    let head: ClassifierHead
    let activations: [FloatBuffer]       // each level's residual stream [tokens, channels]
    let activationGrads: [FloatBuffer]
    let logitBuffer: FloatBuffer

    public init(config: HTNetConfig, maxBatch: Int) {
        precondition(config.validationErrors().isEmpty, "invalid HTNet config: \(config.validationErrors())")
        self.config = config
        self.maxBatch = maxBatch
        let layout = ParameterLayout(config: config)
        self.layout = layout
        parameters = FloatBuffer(count: layout.count)
        gradients = FloatBuffer(count: layout.count)
        embedding = PatchEmbedding(config: config, layout: layout, maxBatch: maxBatch)
        levels = (0..<config.numHierarchies).map { TransformerLevel(level: $0, config: config, layout: layout, maxBatch: maxBatch) }
        aggregates = (0..<(config.numHierarchies - 1)).map { Aggregate(level: $0, config: config, layout: layout, maxBatch: maxBatch) }
        head = ClassifierHead(config: config, layout: layout, maxBatch: maxBatch)
        activations = (0..<config.numHierarchies).map { l in
            FloatBuffer(count: maxBatch * config.side(level: l) * config.side(level: l) * config.channels(level: l))
        }
        activationGrads = activations.map { FloatBuffer(count: $0.count) }
        logitBuffer = FloatBuffer(count: maxBatch * config.numClasses)
    }

    /// PyTorch-default initialisation from a deterministic stream.
    public func initialise(rng: inout DeterministicRNG) {
        layout.initialise(parameters.pointer, rng: &rng)
    }

    /// images: [batch, channels, image, image] -> logits [batch, classes] (valid until the next forward).
    @discardableResult
    public func forward(images: UnsafePointer<Float>, batch: Int) -> UnsafeMutablePointer<Float> {
        precondition(batch >= 1 && batch <= maxBatch, "batch \(batch) outside 1...\(maxBatch)")
        let p = parameters.pointer
        embedding.forward(p, images: images, y: activations[0].pointer, batch: batch)
        for l in 0..<levels.count {
            levels[l].forward(p, x: activations[l].pointer, batch: batch)
            if l < aggregates.count {
                aggregates[l].forward(p, x: activations[l].pointer, y: activations[l + 1].pointer, batch: batch)
            }
        }
        head.forward(p, x: activations[levels.count - 1].pointer, logits: logitBuffer.pointer, batch: batch)
        return logitBuffer.pointer
    }

    /// Writes the gradient of the loss whose logit-gradient is `dLogits` [batch, classes] into
    /// `gradients`: every parameter's gradient comes from exactly one place, so no zeroing pass
    /// over the (up to 140 M) gradients is needed.
    public func backward(dLogits: UnsafePointer<Float>, batch: Int) {
        let p = parameters.pointer, g = gradients.pointer
        let top = levels.count - 1
        head.backward(p, g, dLogits: dLogits, dx: activationGrads[top].pointer, batch: batch)
        for l in stride(from: top, through: 0, by: -1) {
            if l < top {
                aggregates[l].backward(p, g, dy: activationGrads[l + 1].pointer, dx: activationGrads[l].pointer, batch: batch)
            }
            levels[l].backward(p, g, dx: activationGrads[l].pointer, batch: batch)
        }
        embedding.backward(p, g, dy: activationGrads[0].pointer, batch: batch)
    }

    /// The parameter named `name` (reference state_dict name) as a tensor.
    public func parameter(_ name: String) -> Tensor {
        let s = layout[name]
        return Tensor(shape: s.shape, data: Array(UnsafeBufferPointer(start: parameters.pointer + s.offset, count: s.count)))
    }
}
