import Tensor

/// The loss of one forward pass: loss = CE + attentionWeight x L_att.
public struct DDAMFNLoss: Sendable {
    public let total: Double, crossEntropy: Double, attention: Double
}

/// DDAMFN (Dual-Direction Attention Mixed Feature Network) with explicit forward and backward:
/// the MixFeatureNet backbone (`features.0` ... `features.8`) to F [B, 512, 7, 7], `heads`
/// dual-direction attention heads, M = their elementwise maximum, Y = F * M, the depthwise 7x7
/// `linear` ConvBN, and `fc` to the logits. Parameters live in one contiguous buffer (one
/// gradient buffer beside it) under the reference's state-dict names; BatchNorm running
/// statistics in a separate buffer and num_batches_tracked in `batchesTracked`.
/// Every activation buffer is allocated once, for `maxBatch` samples.
public final class DDAMFNModel {
    public let config: DDAMFNConfig
    public let table: ParameterTable
    public let maxBatch: Int
    public let parameters: FloatBuffer
    public let gradients: FloatBuffer
    public let statistics: FloatBuffer
    public let batchesTracked: UnsafeMutablePointer<Int>
    /// The attention term's weight in the loss (0.1 in the reference).
    public var attentionWeight: Float = 0.1

    let stem: ConvBNPReLU
    let stemDepthwise: ConvBNPReLU
    /// Backbone MixBlocks in order, each with the index of the `features` stage it belongs to.
    let blocks: [(stage: Int, block: MixBlock)]
    let top: ConvBNPReLU
    let heads: [DualDirectionHead]
    let maximum: HeadMaximum
    let weighted: FloatBuffer
    let pool: DepthwiseConvolution
    let poolNorm: BatchNorm
    let fc: FullyConnected
    let channelMajorImages: FloatBuffer
    let dLogits: FloatBuffer
    let dFeatures: FloatBuffer
    let dMaximum: FloatBuffer
    /// Samples in the last forward.
    private(set) var batch = 0
    private var training = true
    private var stageOutputs: [Int: UnsafePointer<Float>] = [:]
    private var features: UnsafePointer<Float>?
    /// Whether the stem convolution computes its input gradient (`inputGradient`): explanations only,
    /// so training does no work for a gradient it never uses.
    public let computesInputGradient: Bool

    /// - inputGradient: build the stem convolution with dX, for `inputGradient(dLogits:)` (saliency).
    public init(config: DDAMFNConfig, maxBatch: Int, inputGradient: Bool = false) {
        self.config = config
        self.maxBatch = maxBatch
        computesInputGradient = inputGradient
        let t = ParameterTable()
        table = t
        let side = DDAMFNConfig.imageSize
        stem = ConvBNPReLU(t, "features.0", input: 3, output: 64, kernel: 3, stride: 2, padding: 1, height: side, width: side,
                           maxBatch: maxBatch, needsInputGradient: inputGradient)
        var h = stem.outHeight
        stemDepthwise = ConvBNPReLU(t, "features.1", input: 64, output: 64, kernel: 3, padding: 1, depthwise: true,
                                    height: h, width: h, maxBatch: maxBatch)
        var blocks: [(Int, MixBlock)] = []
        for stage in config.mixStages {
            let first = MixBlock(t, "features.\(stage.index)", stage: stage.first, residual: false, height: h, width: h, maxBatch: maxBatch)
            blocks.append((stage.index, first))
            h = first.outHeight
            for i in 0..<stage.repeats {
                blocks.append((stage.index + 1,
                               MixBlock(t, "features.\(stage.index + 1).model.\(i)", stage: stage.repeated, residual: true,
                                        height: h, width: h, maxBatch: maxBatch)))
            }
        }
        self.blocks = blocks
        precondition(h == DDAMFNConfig.featureSide, "the backbone ends at \(h)x\(h), expected 7x7")
        let c = DDAMFNConfig.featureChannels
        top = ConvBNPReLU(t, "features.8", input: config.mixStages.last!.repeated.output, output: c, kernel: 1,
                          height: h, width: h, maxBatch: maxBatch)
        heads = (0..<config.heads).map {
            DualDirectionHead(t, "cat_head\($0).CoordinateAttention", channels: c, side: h, width: DDAMFNConfig.headAttentionWidth,
                              maxBatch: maxBatch)
        }
        let elements = maxBatch * c * h * h
        maximum = HeadMaximum(heads: config.heads, elements: elements)
        weighted = FloatBuffer(count: elements)
        pool = DepthwiseConvolution(t, "linear.conv", channels: c, kernelHeight: h, kernelWidth: h, height: h, width: h, maxBatch: maxBatch)
        poolNorm = BatchNorm(t, "linear.bn", channels: c, positions: 1, maxBatch: maxBatch)
        fc = FullyConnected(t, "fc", input: c, output: config.classes, maxBatch: maxBatch)
        _ = t.batchNorm("bn", config.classes, used: false)
        channelMajorImages = FloatBuffer(count: maxBatch * 3 * side * side)
        dLogits = FloatBuffer(count: maxBatch * config.classes)
        dFeatures = FloatBuffer(count: elements)
        dMaximum = FloatBuffer(count: elements)
        parameters = FloatBuffer(count: t.parameterCount)
        gradients = FloatBuffer(count: t.parameterCount)
        statistics = FloatBuffer(count: t.statisticsCount)
        batchesTracked = .allocate(capacity: max(1, t.batchNorms.count))
        batchesTracked.initialize(repeating: 0, count: max(1, t.batchNorms.count))
        t.resetStatistics(statistics.pointer)
    }

    deinit { batchesTracked.deallocate() }

    /// Fresh weights with PyTorch's default distributions; running statistics reset.
    public func initialise(rng: inout DeterministicRNG) {
        table.initialise(parameters.pointer, rng: &rng)
        table.resetStatistics(statistics.pointer)
        batchesTracked.update(repeating: 0, count: table.batchNorms.count)
    }

    /// Matrix work (2 x multiply-accumulates) of one sample's forward pass: convolutions and `fc`.
    public var forwardFLOPsPerSample: Double { 2 * Double(table.forwardMACsPerSample) }
    /// Forward plus backward (dW and dX products; the input image needs no gradient).
    public var trainingFLOPsPerSample: Double { 2 * Double(table.forwardMACsPerSample + table.backwardMACsPerSample) }

    var featureElements: Int { DDAMFNConfig.featureChannels * DDAMFNConfig.featureSide * DDAMFNConfig.featureSide }

    private func pass(_ batch: Int, training: Bool) -> Pass {
        Pass(parameters: parameters.pointer, gradients: gradients.pointer, statistics: statistics.pointer,
             counters: batchesTracked, batch: batch, training: training)
    }

    /// Logits [batch, classes] for images [batch, 3, 112, 112] (normalised RGB). Train mode uses
    /// and updates batch statistics; eval mode uses the running ones. Keeps what backward needs.
    public func forward(images: UnsafePointer<Float>, batch: Int, training: Bool) -> UnsafePointer<Float> {
        precondition(batch >= 1 && batch <= maxBatch, "batch \(batch) outside 1...\(maxBatch)")
        // The classifier's BN normalises each channel over the batch alone: one sample has no batch
        // statistics (PyTorch raises "Expected more than 1 value per channel when training").
        precondition(!training || batch >= 2, "a train-mode batch needs at least 2 samples (got \(batch)); drop or merge a last batch of one")
        self.batch = batch
        self.training = training
        let pass = pass(batch, training: training)
        let plane = DDAMFNConfig.imageSize * DDAMFNConfig.imageSize
        for b in 0..<batch {
            for c in 0..<3 { (channelMajorImages.pointer + (c * batch + b) * plane).update(from: images + (b * 3 + c) * plane, count: plane) }
        }
        var x = UnsafePointer(stemDepthwise.forward(stem.forward(channelMajorImages.pointer, pass), pass))
        for (stage, block) in blocks {
            x = UnsafePointer(block.forward(x, pass))
            stageOutputs[stage] = x   // the stage's last block wins
        }
        let f = UnsafePointer(top.forward(x, pass))
        features = f
        let maps = heads.map { UnsafePointer($0.forward(f, pass)) }
        let n = batch * featureElements
        let m = maximum.forward(maps, elements: n)
        let y = weighted.pointer
        for i in 0..<n { y[i] = f[i] * m[i] }
        let pooled = poolNorm.forward(pool.forward(y, pass), pass)
        return UnsafePointer(fc.forward(pooled, pass))
    }

    /// The output of backbone stage `features.<index>` (2...7) from the last forward, NCHW.
    public func stageOutput(_ index: Int) -> [Float]? {
        guard let x = stageOutputs[index], let block = blocks.last(where: { $0.stage == index })?.block else { return nil }
        return DDAMFNModel.batchMajor(x, channels: block.output, batch: batch, positions: block.outHeight * block.outWidth)
    }

    /// F [batch, 512, 7, 7] from the last forward, NCHW.
    public var featureMap: [Float] {
        DDAMFNModel.batchMajor(features!, channels: DDAMFNConfig.featureChannels, batch: batch,
                               positions: DDAMFNConfig.featureSide * DDAMFNConfig.featureSide)
    }

    /// Head i's attention map [batch, 512, 7, 7] from the last forward, NCHW.
    public func headMap(_ i: Int) -> [Float] {
        DDAMFNModel.batchMajor(heads[i].map.pointer, channels: DDAMFNConfig.featureChannels, batch: batch,
                               positions: DDAMFNConfig.featureSide * DDAMFNConfig.featureSide)
    }

    /// [C, B, P] to [B, C, P].
    static func batchMajor(_ x: UnsafePointer<Float>, channels: Int, batch: Int, positions: Int) -> [Float] {
        var out = [Float](repeating: 0, count: channels * batch * positions)
        out.withUnsafeMutableBufferPointer { o in
            for c in 0..<channels {
                for b in 0..<batch {
                    (o.baseAddress! + (b * channels + c) * positions).update(from: x + (c * batch + b) * positions, count: positions)
                }
            }
        }
        return out
    }

    /// The loss of the last forward; with `gradients`, also the loss's gradients with respect to the
    /// logits and the heads' maps, ready for `backward`.
    public func loss(labels: [Int], gradients: Bool = true) -> DDAMFNLoss {
        precondition(labels.count == batch, "\(labels.count) labels for a batch of \(batch)")
        for (i, label) in labels.enumerated() {
            precondition(label >= 0 && label < config.classes, "label \(label) of sample \(i) outside 0..<\(config.classes)")
        }
        let logits = UnsafePointer(fc.y.pointer)
        let ce = CrossEntropy.evaluate(logits: logits, labels: labels, classes: config.classes,
                                       dLogits: gradients ? dLogits.pointer : nil)
        let n = batch * featureElements
        if gradients { for head in heads { head.dMap.pointer.update(repeating: 0, count: n) } }
        let att = AttentionDiversityLoss.evaluate(maps: heads.map { UnsafePointer($0.map.pointer) }, elements: n,
                                                  weight: attentionWeight, dMaps: gradients ? heads.map { $0.dMap.pointer } : nil)
        return DDAMFNLoss(total: ce + Double(attentionWeight) * att, crossEntropy: ce, attention: att)
    }

    /// Writes the gradient of the last `loss` for every used parameter into `gradients`
    /// (unused parameters keep gradient 0). Train mode only.
    public func backward() {
        precondition(training, "backward needs a train-mode forward")
        propagate(pass(batch, training: true))
    }

    /// d (sum over b, k of dLogits[b, k] x logits[b, k]) / d images, [batch, 3, 112, 112] NCHW: the
    /// gradient with respect to the normalised network input `forward` took, through the last forward
    /// in its own mode (eval mode: running statistics are constants). The heads' maps get no loss
    /// term. Needs a model built with `inputGradient: true`; parameter gradients are overwritten.
    public func inputGradient(dLogits given: [Float]) -> [Float] {
        precondition(computesInputGradient, "build the model with inputGradient: true for input gradients")
        precondition(given.count == batch * config.classes, "\(given.count) logit gradients for a batch of \(batch)")
        dLogits.pointer.update(from: given, count: given.count)
        let n = batch * featureElements
        for head in heads { head.dMap.pointer.update(repeating: 0, count: n) }
        let dx = propagate(pass(batch, training: training))!
        let plane = DDAMFNConfig.imageSize * DDAMFNConfig.imageSize
        return DDAMFNModel.batchMajor(dx, channels: 3, batch: batch, positions: plane)
    }

    /// Backpropagates `dLogits` and the heads' `dMap`s through the last forward; returns the stem's
    /// dX (channel-major) when the model computes it.
    @discardableResult
    private func propagate(_ pass: Pass) -> Floats? {
        let n = batch * featureElements
        let dy = pool.backward(poolNorm.backward(fc.backward(dLogits.pointer, pass), pass), pass)
        let f = features!, m = maximumPointer
        let df = dFeatures.pointer, dm = dMaximum.pointer
        for i in 0..<n { df[i] = dy[i] * m[i]; dm[i] = dy[i] * f[i] }
        maximum.backward(dm, maps: heads.map { UnsafePointer($0.map.pointer) }, dMaps: heads.map { $0.dMap.pointer }, elements: n)
        for head in heads {
            let d = head.backward(pass)
            for i in 0..<n { df[i] += d[i] }
        }
        var dx = UnsafePointer(top.backward(df, pass)!)
        for (_, block) in blocks.reversed() { dx = UnsafePointer(block.backward(dx, pass)) }
        return stem.backward(stemDepthwise.backward(dx, pass)!, pass)
    }

    /// M, the elementwise maximum of the heads' maps, channel-major.
    private var maximumPointer: UnsafePointer<Float> {
        UnsafePointer(maximum.singleHead ? heads[0].map.pointer : maximum.partial.last!.pointer)
    }

    /// M [batch, 512, 7, 7] from the last forward (the maximum the model multiplied F by), NCHW.
    public var maximumMap: [Float] {
        DDAMFNModel.batchMajor(maximumPointer, channels: DDAMFNConfig.featureChannels, batch: batch,
                               positions: DDAMFNConfig.featureSide * DDAMFNConfig.featureSide)
    }
}
