import Tensor

/// HTNet with explicit forward and backward passes over one contiguous parameter buffer and one
/// gradient buffer of the same layout (docs/DESIGN.md section 3).
///
/// Every activation buffer is allocated here, once, for `maxBatch` samples; a smaller batch uses a
/// prefix of each. `forward` keeps what `backward` needs, so they must be called in that order.
public final class HTNetModel {
    public let config: HTNetConfig
    /// Classifier (logits) or embedding with a metric loss's class vectors (ModelHead).
    public let head: ModelHead
    public let layout: ParameterLayout
    public let maxBatch: Int
    public let parameters: FloatBuffer
    public let gradients: FloatBuffer

    let embedding: PatchEmbedding
    let levels: [TransformerLevel]
    let aggregates: [Aggregate]
    let top: Top
    let activations: [FloatBuffer]       // each level's residual stream [tokens, channels]
    let activationGrads: [FloatBuffer]
    /// Logits, or for a metric head the cosines between embeddings and class vectors.
    let scoreBuffer: FloatBuffer

    enum Top {
        case classifier(ClassifierHead)
        case embedding(EmbeddingHead)
        /// The pooled feature and a FusionHead on it and the sample's features (`model.fusion`).
        case fused(PooledFeature, FusionHead)
    }

    /// The fusion in use (nil: the reference model; a spec of kind `none` is stored as nil).
    public let fusion: FusionSpec?
    /// The batch's handcrafted features [maxBatch, F] of the last forward (fused models only).
    let featureBuffer: FloatBuffer
    let dPooledFused: FloatBuffer

    /// `fusion` works with the classifier head only (the metric heads' embedding is the loss's input).
    /// `storage` gives the parameter and gradient buffers (each `layout.count` values, e.g. views of
    /// one model's slice of a fold batch's stacked buffers); nil allocates them.
    public init(config: HTNetConfig, head: ModelHead = .classifier, fusion: FusionSpec? = nil, maxBatch: Int,
                storage: (parameters: FloatBuffer, gradients: FloatBuffer)? = nil) {
        precondition(config.validationErrors().isEmpty, "invalid HTNet config: \(config.validationErrors())")
        let fusion = fusion.flatMap { $0.kind == .none ? nil : $0 }
        precondition(fusion == nil || head == .classifier, "fusion needs the classifier head")
        self.config = config
        self.head = head
        self.fusion = fusion
        self.maxBatch = maxBatch
        let layout = ParameterLayout(config: config, head: head, fusion: fusion)
        self.layout = layout
        if let storage {
            precondition(storage.parameters.count == layout.count && storage.gradients.count == layout.count,
                         "given storage holds \(storage.parameters.count) / \(storage.gradients.count) values, the model \(layout.count)")
            parameters = storage.parameters
            gradients = storage.gradients
        } else {
            parameters = FloatBuffer(count: layout.count)
            gradients = FloatBuffer(count: layout.count)
        }
        embedding = PatchEmbedding(config: config, layout: layout, maxBatch: maxBatch)
        levels = (0..<config.numHierarchies).map { TransformerLevel(level: $0, config: config, layout: layout, maxBatch: maxBatch) }
        aggregates = (0..<(config.numHierarchies - 1)).map { Aggregate(level: $0, config: config, layout: layout, maxBatch: maxBatch) }
        featureBuffer = FloatBuffer(count: maxBatch * (fusion?.featureCount ?? 0))
        dPooledFused = FloatBuffer(count: fusion == nil ? 0 : maxBatch * config.topChannels)
        switch head {
        case .classifier:
            if let fusion {
                top = .fused(PooledFeature(config: config, layout: layout, maxBatch: maxBatch),
                             FusionHead(spec: fusion, embeddingWidth: config.topChannels, classes: config.numClasses,
                                        layout: layout, maxBatch: maxBatch))
            } else {
                top = .classifier(ClassifierHead(config: config, layout: layout, maxBatch: maxBatch))
            }
        case let .metric(embeddingSize, _):
            top = .embedding(EmbeddingHead(config: config, layout: layout, embeddingSize: embeddingSize, maxBatch: maxBatch))
        }
        activations = (0..<config.numHierarchies).map { l in
            FloatBuffer(count: maxBatch * config.side(level: l) * config.side(level: l) * config.channels(level: l))
        }
        activationGrads = activations.map { FloatBuffer(count: $0.count) }
        scoreBuffer = FloatBuffer(count: maxBatch * config.numClasses)
    }

    /// PyTorch-default initialisation from a deterministic stream.
    public func initialise(rng: inout DeterministicRNG) {
        layout.initialise(parameters.pointer, rng: &rng)
    }

    /// images: [batch, channels, image, image] -> scores [batch, classes] (valid until the next
    /// forward): the logits for the classifier head; for a metric head the cosine between each
    /// embedding and each class vector, so that arg-max is the nearest class vector by cosine.
    /// `features` [batch, F] (standardised) is required by a fused model and ignored otherwise.
    @discardableResult
    public func forward(images: UnsafePointer<Float>, features: UnsafePointer<Float>? = nil, batch: Int) -> UnsafeMutablePointer<Float> {
        precondition(batch >= 1 && batch <= maxBatch, "batch \(batch) outside 1...\(maxBatch)")
        let p = parameters.pointer
        if let fusion {
            guard let features else { preconditionFailure("a fused model needs the batch's features") }
            featureBuffer.pointer.update(from: features, count: batch * fusion.featureCount)
        }
        embedding.forward(p, images: images, y: activations[0].pointer, batch: batch)
        for l in 0..<levels.count {
            levels[l].forward(p, x: activations[l].pointer, batch: batch)
            if l < aggregates.count {
                aggregates[l].forward(p, x: activations[l].pointer, y: activations[l + 1].pointer, batch: batch)
            }
        }
        let x = activations[levels.count - 1].pointer
        switch top {
        case let .classifier(h): h.forward(p, x: x, logits: scoreBuffer.pointer, batch: batch)
        case let .fused(feature, fusionHead):
            feature.forward(p, x: x, batch: batch)
            fusionHead.forward(p, e: feature.pooled.pointer, f: featureBuffer.pointer, logits: scoreBuffer.pointer, batch: batch)
        case let .embedding(h):
            h.forward(p, x: x, batch: batch)
            guard case let .metric(_, layout) = head else { preconditionFailure("embedding top without a metric head") }
            let e = h.width, classes = config.numClasses
            let cosine = CosineSimilarity(x: h.embeddings, w: p + self.layout[ModelHead.classVectorName(layout)].offset,
                                          batch: batch, dim: e, classes: classes, layout: layout)
            cosine.cos.withUnsafeBufferPointer { scoreBuffer.pointer.update(from: $0.baseAddress!, count: batch * classes) }
        }
        return scoreBuffer.pointer
    }

    /// The embeddings of the last forward, [batch, embeddingWidth]: the pooled, LayerNormed top
    /// feature (for the classifier head too), or its projection.
    public var embeddings: UnsafeMutablePointer<Float> {
        switch top {
        case let .classifier(h): return h.feature.pooled.pointer
        case let .fused(feature, _): return feature.pooled.pointer
        case let .embedding(h): return h.embeddings
        }
    }

    public var embeddingWidth: Int { head.embeddingWidth(config) }

    /// The class vectors' slot of a metric head (nil for the classifier).
    public var classVectorSlot: ParameterSlot? {
        guard case let .metric(_, layout) = head else { return nil }
        return self.layout[ModelHead.classVectorName(layout)]
    }

    /// Writes the gradient of the loss whose logit-gradient is `dLogits` [batch, classes] into
    /// `gradients`: every parameter's gradient comes from exactly one place, so no zeroing pass
    /// over the (up to 140 M) gradients is needed.
    /// `dImages` [batch, channels, image, image], when given, receives the gradient with respect to
    /// the last forward's input images (saliency maps); training leaves it nil.
    public func backward(dLogits: UnsafePointer<Float>, batch: Int, dImages: UnsafeMutablePointer<Float>? = nil) {
        let dx = activationGrads[levels.count - 1].pointer
        switch top {
        case let .classifier(h): h.backward(parameters.pointer, gradients.pointer, dLogits: dLogits, dx: dx, batch: batch)
        case let .fused(feature, fusionHead):
            fusionHead.backward(parameters.pointer, gradients.pointer, e: feature.pooled.pointer, f: featureBuffer.pointer,
                                dLogits: dLogits, dE: dPooledFused.pointer, batch: batch)
            feature.backward(parameters.pointer, gradients.pointer, dPooled: dPooledFused.pointer, dx: dx, batch: batch)
        case .embedding: preconditionFailure("backward(dLogits:) on a metric head")
        }
        backwardBelowHead(batch: batch, dImages: dImages)
    }

    /// The metric heads' backward: `dEmbeddings` [batch, embeddingWidth] is the loss's gradient
    /// with respect to the last forward's embeddings. The loss writes its class vectors' gradient
    /// into `gradients` itself (at classVectorSlot); this writes every other parameter's.
    public func backward(dEmbeddings: UnsafePointer<Float>, batch: Int) {
        guard case let .embedding(h) = top else { preconditionFailure("backward(dEmbeddings:) on the classifier head") }
        h.backward(parameters.pointer, gradients.pointer, dEmbeddings: dEmbeddings, dx: activationGrads[levels.count - 1].pointer, batch: batch)
        backwardBelowHead(batch: batch)
    }

    private func backwardBelowHead(batch: Int, dImages: UnsafeMutablePointer<Float>? = nil) {
        let p = parameters.pointer, g = gradients.pointer
        let topLevel = levels.count - 1
        for l in stride(from: topLevel, through: 0, by: -1) {
            if l < topLevel {
                aggregates[l].backward(p, g, dy: activationGrads[l + 1].pointer, dx: activationGrads[l].pointer, batch: batch)
            }
            levels[l].backward(p, g, dx: activationGrads[l].pointer, batch: batch)
        }
        embedding.backward(p, g, dy: activationGrads[0].pointer, batch: batch, dImages: dImages)
    }

    /// The attention probabilities of the last forward, one entry per Transformer layer (level by
    /// level, layer by layer): `probabilities` [sample][block][head][query][key] of `sample` in the
    /// batch, blocks in raster order of the level's block grid; `tokens` gives each (block, position)
    /// its token index in the level's S x S map (raster order), so a caller can place the weights.
    public func attention(sample: Int) -> [AttentionMap] {
        var maps: [AttentionMap] = []
        for (l, level) in levels.enumerated() {
            let g = level.geometry
            let blocksPerSample = g.blocksPerSide * g.blocksPerSide, L = g.seqLen
            let tokens = (0..<(blocksPerSample * L)).map { Int(g.tokenOrder[$0]) }
            for (i, layer) in level.layers.enumerated() {
                let heads = layer.attention.heads
                let size = blocksPerSample * heads * L * L
                let start = sample * size
                maps.append(AttentionMap(level: l, layer: i, side: g.side, blocks: blocksPerSample, heads: heads, seqLen: L,
                                         tokens: tokens,
                                         probabilities: Array(UnsafeBufferPointer(start: layer.probs.pointer + start, count: size))))
            }
        }
        return maps
    }

    /// The parameter named `name` (reference state_dict name) as a tensor.
    public func parameter(_ name: String) -> Tensor {
        let s = layout[name]
        return Tensor(shape: s.shape, data: Array(UnsafeBufferPointer(start: parameters.pointer + s.offset, count: s.count)))
    }
}
