import HTNet

/// F HTNet models (classifier head) on a KernelDevice, stacked: the forward and backward passes of
/// HTNetModel (HTNet/Layers) for all F at once, every product one strided-batched sgemm over the F
/// models, everything else a kernel of CUDAKernelSource with grid y = model. docs/GPU.md has the
/// layer-by-layer map. Rows of model f past its batch are padding: LayerNorm writes zeros there,
/// so every gradient that sums over rows adds nothing for them.
final class StackedHTNet {
    let device: KernelDevice
    let config: HTNetConfig
    let layout: ParameterLayout
    let F: Int, P: Int
    /// Samples per model slot (the largest member batch).
    let SB: Int
    let params, grads, firstMoments, secondMoments: DeviceBuffer
    let images, patches, labels, classWeights, dLogits, logits, loss, correct, sampleCounts: DeviceBuffer
    let levels: [Level]
    let aggregates: [AggregateBuffers]
    let top: TopBuffers

    struct Layer {
        let ln1g, ln1b, qkvW, outW, outB, ln2g, ln2b, expandW, expandB, contractW, contractB: Int
        let xhat1, rstd1, normed1, qkv, probs, attended, xhat2, rstd2, normed2, hiddenPre, hiddenAct: DeviceBuffer
    }

    struct Level {
        let channels, heads, dimHead, hidden, side, rows, seqLen, blocksPerModel, blocksPerSample, positionOffset: Int
        let x, dx, tokenOrder, position, rowCounts, blockCounts: DeviceBuffer
        let layers: [Layer]
        let sNormed, sHidden, sAttended, sQKV, attentionScratch: DeviceBuffer
        var inner: Int { heads * dimHead }
    }

    struct AggregateBuffers {
        let ci, co, side, pooledSide, rows, weight, bias, gain, shift: Int
        let cols, dcols, pw, pg, conv, xhat, rstd, normed, argmax, dz: DeviceBuffer
    }

    struct TopBuffers {
        let channels, positions, rows, gain, shift, weight, bias: Int
        let xhat, rstd, normed, pooled, dPooled, dNormed: DeviceBuffer
    }

    init(device: KernelDevice, config c: HTNetConfig, models F: Int, stackedBatch SB: Int) throws {
        self.device = device
        config = c
        let layout = ParameterLayout(config: c, head: .classifier)
        self.layout = layout
        self.F = F
        self.SB = SB
        let P = layout.count
        self.P = P
        func floats(_ n: Int) throws -> DeviceBuffer { try device.allocate(Float.self, count: F * n) }
        params = try floats(P); grads = try floats(P); firstMoments = try floats(P); secondMoments = try floats(P)
        images = try floats(SB * c.channels * c.imageSize * c.imageSize)
        let r0 = SB * c.fmap * c.fmap
        patches = try floats(r0 * c.patchDim)
        labels = try device.allocate(Int32.self, count: F * SB)
        classWeights = try floats(c.numClasses)
        logits = try floats(SB * c.numClasses); dLogits = try floats(SB * c.numClasses)
        loss = try device.allocate(Double.self, count: F); correct = try device.allocate(Int32.self, count: F)
        sampleCounts = try device.allocate(Int32.self, count: F)
        var levels: [Level] = []
        for l in 0..<c.numHierarchies {
            let ch = c.channels(level: l), heads = c.heads(level: l), dh = c.dimHead(level: l), hidden = ch * c.mlpMult
            let side = c.side(level: l), rows = SB * side * side
            let blocksPerSide = 1 << (c.numHierarchies - 1 - l), w = side / blocksPerSide, L = w * w
            let blocksPerSample = blocksPerSide * blocksPerSide, blocksPerModel = SB * blocksPerSample
            // BlockGeometry's token order and in-block positions.
            var order: [Int32] = []
            for b in 0..<SB { for by in 0..<blocksPerSide { for bx in 0..<blocksPerSide { for iy in 0..<w { for ix in 0..<w {
                order.append(Int32((b * side + by * w + iy) * side + bx * w + ix))
            } } } } }
            var position: [Int32] = []
            for y in 0..<side { for x in 0..<side { position.append(Int32((y % w) * w + (x % w))) } }
            let tokenOrder = try device.allocate(Int32.self, count: order.count), positionBuffer = try device.allocate(Int32.self, count: position.count)
            try device.upload(order, to: tokenOrder)
            try device.upload(position, to: positionBuffer)
            let inner = heads * dh
            var layers: [Layer] = []
            for i in 0..<c.blockRepeats[l] {
                let a = "layers.\(l).0.layers.\(i).0", f = "layers.\(l).0.layers.\(i).1"
                layers.append(Layer(
                    ln1g: layout["\(a).norm.g"].offset, ln1b: layout["\(a).norm.b"].offset, qkvW: layout["\(a).fn.to_qkv.weight"].offset,
                    outW: layout["\(a).fn.to_out.0.weight"].offset, outB: layout["\(a).fn.to_out.0.bias"].offset,
                    ln2g: layout["\(f).norm.g"].offset, ln2b: layout["\(f).norm.b"].offset,
                    expandW: layout["\(f).fn.net.0.weight"].offset, expandB: layout["\(f).fn.net.0.bias"].offset,
                    contractW: layout["\(f).fn.net.3.weight"].offset, contractB: layout["\(f).fn.net.3.bias"].offset,
                    xhat1: try floats(rows * ch), rstd1: try floats(rows), normed1: try floats(rows * ch), qkv: try floats(rows * 3 * inner),
                    probs: try floats(blocksPerModel * heads * L * L), attended: try floats(rows * inner),
                    xhat2: try floats(rows * ch), rstd2: try floats(rows), normed2: try floats(rows * ch),
                    hiddenPre: try floats(rows * hidden), hiddenAct: try floats(rows * hidden)))
            }
            levels.append(Level(channels: ch, heads: heads, dimHead: dh, hidden: hidden, side: side, rows: rows, seqLen: L,
                                blocksPerModel: blocksPerModel, blocksPerSample: blocksPerSample,
                                positionOffset: layout["layers.\(l).0.pos_emb"].offset,
                                x: try floats(rows * ch), dx: try floats(rows * ch), tokenOrder: tokenOrder, position: positionBuffer,
                                rowCounts: try device.allocate(Int32.self, count: F), blockCounts: try device.allocate(Int32.self, count: F),
                                layers: layers, sNormed: try floats(rows * ch), sHidden: try floats(rows * hidden),
                                sAttended: try floats(rows * inner), sQKV: try floats(rows * 3 * inner),
                                attentionScratch: try floats(blocksPerModel * heads * L * L)))
        }
        self.levels = levels
        aggregates = try (0..<(c.numHierarchies - 1)).map { l in
            let ci = c.channels(level: l), co = c.channels(level: l + 1), s = c.side(level: l), rows = SB * s * s
            let ps = c.side(level: l + 1)
            return AggregateBuffers(ci: ci, co: co, side: s, pooledSide: ps, rows: rows,
                                    weight: layout["layers.\(l).1.0.weight"].offset, bias: layout["layers.\(l).1.0.bias"].offset,
                                    gain: layout["layers.\(l).1.1.g"].offset, shift: layout["layers.\(l).1.1.b"].offset,
                                    cols: try floats(rows * 9 * ci), dcols: try floats(rows * 9 * ci), pw: try floats(co * 9 * ci),
                                    pg: try floats(co * 9 * ci), conv: try floats(rows * co), xhat: try floats(rows * co),
                                    rstd: try floats(rows), normed: try floats(rows * co),
                                    argmax: try device.allocate(Int32.self, count: F * SB * ps * ps * co), dz: try floats(rows * co))
        }
        let topLevel = levels[levels.count - 1], ct = c.topChannels
        top = TopBuffers(channels: ct, positions: topLevel.side * topLevel.side, rows: topLevel.rows,
                         gain: layout["mlp_head.0.g"].offset, shift: layout["mlp_head.0.b"].offset,
                         weight: layout["mlp_head.2.weight"].offset, bias: layout["mlp_head.2.bias"].offset,
                         xhat: try floats(topLevel.rows * ct), rstd: try floats(topLevel.rows), normed: try floats(topLevel.rows * ct),
                         pooled: try floats(SB * ct), dPooled: try floats(SB * ct), dNormed: try floats(topLevel.rows * ct))
    }

    // MARK: per-step counts

    /// Model f holds `batches[f]` samples this step (0: sits it out).
    func setBatches(_ batches: [Int]) throws {
        try device.upload(batches.map { Int32($0) }, to: sampleCounts)
        for level in levels {
            try device.upload(batches.map { Int32($0 * level.side * level.side) }, to: level.rowCounts)
            try device.upload(batches.map { Int32($0 * level.blocksPerSample) }, to: level.blockCounts)
        }
    }

    // MARK: building blocks

    private var P64: KernelArgument { .int64(Int64(P)) }
    private func i32(_ v: Int) -> KernelArgument { .int32(Int32(v)) }

    func layerNormForward(x: DeviceBuffer, y: DeviceBuffer, xhat: DeviceBuffer, rstd: DeviceBuffer, gain: Int, shift: Int,
                          channels: Int, rows: Int, counts: DeviceBuffer) throws {
        try device.launch("loso_layernorm_forward", elements: rows * 32, models: F, block: 128,
                          [.buffer(x), .buffer(y), .buffer(xhat), .buffer(rstd), .buffer(params), P64, i32(gain), i32(shift),
                           i32(channels), i32(rows), .buffer(counts)])
    }

    /// dx += (or, with `overwrite`, =) LayerNorm's input gradient; writes dg, db.
    func layerNormBackward(dy: DeviceBuffer, xhat: DeviceBuffer, rstd: DeviceBuffer, gain: Int, shift: Int, channels: Int,
                           rows: Int, counts: DeviceBuffer, dx: DeviceBuffer, overwrite: Bool) throws {
        if overwrite { try zero(dx, floats: rows * channels) }
        try device.launch("loso_layernorm_backward_input", elements: rows * 32, models: F, block: 128,
                          [.buffer(dy), .buffer(xhat), .buffer(rstd), .buffer(params), P64, i32(gain), i32(channels), i32(rows),
                           .buffer(counts), .buffer(dx)])
        try device.launch("loso_layernorm_backward_params", elements: channels, models: F,
                          [.buffer(dy), .buffer(xhat), .buffer(grads), P64, i32(gain), i32(shift), i32(channels), i32(rows), .buffer(counts)])
    }

    func zero(_ buffer: DeviceBuffer, floats perModel: Int) throws {
        try device.zero(buffer, bytes: F * perModel * MemoryLayout<Float>.stride)
    }

    /// y[f] (rows x out) = x[f] W_f^T + b_f, or y += ... with `residual` (PointwiseLinear.forward).
    func linearForward(x: DeviceBuffer, y: DeviceBuffer, input: Int, output: Int, weight: Int, bias: Int?, rows: Int, residual: Bool) throws {
        var beta: Float = residual ? 1 : 0
        if let bias {
            try device.launch("loso_bias_rows", elements: rows * output, models: F,
                              [.buffer(y), .buffer(params), P64, i32(bias), i32(output), i32(rows), i32(residual ? 1 : 0)])
            beta = 1
        }
        try device.gemmStridedBatched(transA: false, transB: true, m: rows, n: output, k: input, a: x, lda: input, strideA: rows * input,
                                      b: params, bOffset: weight, ldb: input, strideB: P, beta: beta,
                                      c: y, ldc: output, strideC: rows * output, batch: F)
    }

    /// dW = dy^T x, db = column sums of dy (valid rows), dx = dy W (or += with `accumulate`) when given.
    func linearBackward(x: DeviceBuffer, dy: DeviceBuffer, dx: DeviceBuffer?, input: Int, output: Int, weight: Int, bias: Int?,
                        rows: Int, counts: DeviceBuffer, accumulate: Bool = false) throws {
        try device.gemmStridedBatched(transA: true, transB: false, m: output, n: input, k: rows, a: dy, lda: output, strideA: rows * output,
                                      b: x, ldb: input, strideB: rows * input, beta: 0,
                                      c: grads, cOffset: weight, ldc: input, strideC: P, batch: F)
        if let bias {
            try device.launch("loso_column_sums", elements: output, models: F,
                              [.buffer(dy), .buffer(grads), P64, i32(bias), i32(rows), i32(output), .buffer(counts)])
        }
        if let dx {
            try device.gemmStridedBatched(transA: false, transB: false, m: rows, n: input, k: output, a: dy, lda: output, strideA: rows * output,
                                          b: params, bOffset: weight, ldb: input, strideB: P, beta: accumulate ? 1 : 0,
                                          c: dx, ldc: input, strideC: rows * input, batch: F)
        }
    }

    // MARK: forward

    /// images (already uploaded, [F, SB, C, H, W]) -> logits [F, SB, classes].
    func forward() throws {
        let c = config
        let level0 = levels[0]
        try device.launch("loso_patch_gather", elements: SB * c.fmap * c.fmap * c.patchDim, models: F,
                          [.buffer(images), .buffer(patches), i32(c.channels), i32(c.imageSize), i32(c.patchSize), i32(c.fmap), i32(SB)])
        try linearForward(x: patches, y: level0.x, input: c.patchDim, output: c.dim, weight: layout["to_patch_embedding.1.weight"].offset,
                          bias: layout["to_patch_embedding.1.bias"].offset, rows: level0.rows, residual: false)
        for (l, level) in levels.enumerated() {
            try device.launch("loso_position_add", elements: level.rows * level.channels, models: F,
                              [.buffer(level.x), .buffer(params), P64, i32(level.positionOffset), .buffer(level.position),
                               i32(level.channels), i32(level.side * level.side), i32(level.rows)])
            for layer in level.layers { try forward(layer, level) }
            if l < aggregates.count { try forward(aggregates[l], from: level, to: levels[l + 1]) }
        }
        let t = levels[levels.count - 1]
        try layerNormForward(x: t.x, y: top.normed, xhat: top.xhat, rstd: top.rstd, gain: top.gain, shift: top.shift,
                             channels: top.channels, rows: top.rows, counts: t.rowCounts)
        try device.launch("loso_mean_pool_forward", elements: SB * top.channels, models: F,
                          [.buffer(top.normed), .buffer(top.pooled), i32(top.channels), i32(top.positions), i32(SB)])
        try linearForward(x: top.pooled, y: logits, input: top.channels, output: c.numClasses, weight: top.weight, bias: top.bias,
                          rows: SB, residual: false)
    }

    private func forward(_ layer: Layer, _ level: Level) throws {
        let ch = level.channels, rows = level.rows, inner = level.inner
        try layerNormForward(x: level.x, y: layer.normed1, xhat: layer.xhat1, rstd: layer.rstd1, gain: layer.ln1g, shift: layer.ln1b,
                             channels: ch, rows: rows, counts: level.rowCounts)
        try linearForward(x: layer.normed1, y: layer.qkv, input: ch, output: 3 * inner, weight: layer.qkvW, bias: nil, rows: rows, residual: false)
        try device.launch("loso_attention_forward", elements: level.blocksPerModel * level.heads * level.seqLen, models: F,
                          [.buffer(layer.qkv), .buffer(layer.attended), .buffer(layer.probs), .buffer(level.tokenOrder),
                           i32(level.seqLen), i32(level.heads), i32(level.dimHead), i32(rows), i32(level.blocksPerModel),
                           .buffer(level.blockCounts)])
        try linearForward(x: layer.attended, y: level.x, input: inner, output: ch, weight: layer.outW, bias: layer.outB, rows: rows, residual: true)
        try layerNormForward(x: level.x, y: layer.normed2, xhat: layer.xhat2, rstd: layer.rstd2, gain: layer.ln2g, shift: layer.ln2b,
                             channels: ch, rows: rows, counts: level.rowCounts)
        try linearForward(x: layer.normed2, y: layer.hiddenPre, input: ch, output: level.hidden, weight: layer.expandW, bias: layer.expandB,
                          rows: rows, residual: false)
        try device.launch("loso_gelu_forward", elements: F * rows * level.hidden,
                          [.buffer(layer.hiddenPre), .buffer(layer.hiddenAct), .int64(Int64(F * rows * level.hidden))])
        try linearForward(x: layer.hiddenAct, y: level.x, input: level.hidden, output: ch, weight: layer.contractW, bias: layer.contractB,
                          rows: rows, residual: true)
    }

    private func forward(_ a: AggregateBuffers, from level: Level, to next: Level) throws {
        let k = 9 * a.ci
        try device.launch("loso_conv_weight_permute", elements: a.co * k, models: F,
                          [.buffer(params), P64, i32(a.weight), .buffer(a.pw), i32(a.co), i32(a.ci)])
        try device.launch("loso_im2col3x3", elements: a.rows * k, models: F, [.buffer(level.x), .buffer(a.cols), i32(a.ci), i32(a.side), i32(SB)])
        try device.launch("loso_bias_rows", elements: a.rows * a.co, models: F,
                          [.buffer(a.conv), .buffer(params), P64, i32(a.bias), i32(a.co), i32(a.rows), i32(0)])
        try device.gemmStridedBatched(transA: false, transB: true, m: a.rows, n: a.co, k: k, a: a.cols, lda: k, strideA: a.rows * k,
                                      b: a.pw, ldb: k, strideB: a.co * k, beta: 1, c: a.conv, ldc: a.co, strideC: a.rows * a.co, batch: F)
        try layerNormForward(x: a.conv, y: a.normed, xhat: a.xhat, rstd: a.rstd, gain: a.gain, shift: a.shift, channels: a.co,
                             rows: a.rows, counts: level.rowCounts)
        try device.launch("loso_maxpool_forward", elements: SB * a.pooledSide * a.pooledSide * a.co, models: F,
                          [.buffer(a.normed), .buffer(next.x), .buffer(a.argmax), i32(a.co), i32(a.side), i32(a.pooledSide), i32(SB)])
    }

    // MARK: loss and backward

    /// Softmax cross-entropy of the last forward against `labels` (uploaded) with `classWeights`;
    /// writes dLogits; returns per-model (mean loss, correct).
    func crossEntropy() throws -> [(loss: Double, correct: Int)] {
        try device.launch("loso_softmax_cross_entropy", elements: F, block: 32,
                          [.buffer(logits), .buffer(labels), .buffer(sampleCounts), .buffer(classWeights), i32(config.numClasses),
                           i32(SB), i32(F), .buffer(dLogits), .buffer(loss), .buffer(correct)])
        try device.synchronize()
        let l = try device.download(Double.self, count: F, from: loss), c = try device.download(Int32.self, count: F, from: correct)
        return zip(l, c).map { ($0, Int($1)) }
    }

    /// Every parameter's gradient from dLogits (HTNetModel.backward).
    func backward() throws {
        let t = levels[levels.count - 1]
        try linearBackward(x: top.pooled, dy: dLogits, dx: top.dPooled, input: top.channels, output: config.numClasses,
                           weight: top.weight, bias: top.bias, rows: SB, counts: sampleCounts)
        try device.launch("loso_mean_pool_backward", elements: SB * top.positions * top.channels, models: F,
                          [.buffer(top.dPooled), .buffer(top.dNormed), i32(top.channels), i32(top.positions), i32(SB)])
        try layerNormBackward(dy: top.dNormed, xhat: top.xhat, rstd: top.rstd, gain: top.gain, shift: top.shift, channels: top.channels,
                              rows: top.rows, counts: t.rowCounts, dx: t.dx, overwrite: true)
        for l in stride(from: levels.count - 1, through: 0, by: -1) {
            if l < levels.count - 1 { try backward(aggregates[l], from: levels[l + 1], to: levels[l]) }
            let level = levels[l]
            for layer in level.layers.reversed() { try backward(layer, level) }
            try device.launch("loso_position_backward", elements: level.seqLen, models: F,
                              [.buffer(level.dx), .buffer(grads), P64, i32(level.positionOffset), .buffer(level.position),
                               i32(level.channels), i32(level.side * level.side), i32(level.seqLen), i32(level.rows), .buffer(sampleCounts)])
        }
        let level0 = levels[0]
        try linearBackward(x: patches, dy: level0.dx, dx: nil, input: config.patchDim, output: config.dim,
                           weight: layout["to_patch_embedding.1.weight"].offset, bias: layout["to_patch_embedding.1.bias"].offset,
                           rows: level0.rows, counts: level0.rowCounts)
    }

    private func backward(_ layer: Layer, _ level: Level) throws {
        let ch = level.channels, rows = level.rows, inner = level.inner
        try linearBackward(x: layer.hiddenAct, dy: level.dx, dx: level.sHidden, input: level.hidden, output: ch, weight: layer.contractW,
                           bias: layer.contractB, rows: rows, counts: level.rowCounts)
        try device.launch("loso_gelu_backward", elements: F * rows * level.hidden,
                          [.buffer(layer.hiddenPre), .buffer(level.sHidden), .int64(Int64(F * rows * level.hidden))])
        try linearBackward(x: layer.normed2, dy: level.sHidden, dx: level.sNormed, input: ch, output: level.hidden, weight: layer.expandW,
                           bias: layer.expandB, rows: rows, counts: level.rowCounts)
        try layerNormBackward(dy: level.sNormed, xhat: layer.xhat2, rstd: layer.rstd2, gain: layer.ln2g, shift: layer.ln2b, channels: ch,
                              rows: rows, counts: level.rowCounts, dx: level.dx, overwrite: false)
        try linearBackward(x: layer.attended, dy: level.dx, dx: level.sAttended, input: inner, output: ch, weight: layer.outW,
                           bias: layer.outB, rows: rows, counts: level.rowCounts)
        try zero(level.sQKV, floats: rows * 3 * inner)
        try device.launch("loso_attention_backward", elements: level.blocksPerModel * level.heads, models: F,
                          [.buffer(layer.qkv), .buffer(layer.probs), .buffer(level.sAttended), .buffer(level.sQKV),
                           .buffer(level.attentionScratch), .buffer(level.tokenOrder), i32(level.seqLen), i32(level.heads),
                           i32(level.dimHead), i32(rows), i32(level.blocksPerModel), .buffer(level.blockCounts)])
        try linearBackward(x: layer.normed1, dy: level.sQKV, dx: level.sNormed, input: ch, output: 3 * inner, weight: layer.qkvW,
                           bias: nil, rows: rows, counts: level.rowCounts)
        try layerNormBackward(dy: level.sNormed, xhat: layer.xhat1, rstd: layer.rstd1, gain: layer.ln1g, shift: layer.ln1b, channels: ch,
                              rows: rows, counts: level.rowCounts, dx: level.dx, overwrite: false)
    }

    private func backward(_ a: AggregateBuffers, from next: Level, to level: Level) throws {
        let k = 9 * a.ci
        try device.launch("loso_maxpool_backward", elements: a.rows * a.co, models: F,
                          [.buffer(next.dx), .buffer(a.argmax), .buffer(a.dz), i32(a.co), i32(a.side), i32(a.pooledSide), i32(SB)])
        try layerNormBackward(dy: a.dz, xhat: a.xhat, rstd: a.rstd, gain: a.gain, shift: a.shift, channels: a.co, rows: a.rows,
                              counts: level.rowCounts, dx: a.conv, overwrite: true)
        try device.launch("loso_column_sums", elements: a.co, models: F,
                          [.buffer(a.conv), .buffer(grads), P64, i32(a.bias), i32(a.rows), i32(a.co), .buffer(level.rowCounts)])
        try device.gemmStridedBatched(transA: true, transB: false, m: a.co, n: k, k: a.rows, a: a.conv, lda: a.co, strideA: a.rows * a.co,
                                      b: a.cols, ldb: k, strideB: a.rows * k, beta: 0, c: a.pg, ldc: k, strideC: a.co * k, batch: F)
        try device.launch("loso_conv_grad_unpermute", elements: a.co * k, models: F,
                          [.buffer(a.pg), .buffer(grads), P64, i32(a.weight), i32(a.co), i32(a.ci)])
        try device.gemmStridedBatched(transA: false, transB: false, m: a.rows, n: k, k: a.co, a: a.conv, lda: a.co, strideA: a.rows * a.co,
                                      b: a.pw, ldb: k, strideB: a.co * k, beta: 0, c: a.dcols, ldc: k, strideC: a.rows * k, batch: F)
        try device.launch("loso_col2im3x3", elements: a.rows * a.ci, models: F,
                          [.buffer(a.dcols), .buffer(level.dx), i32(a.ci), i32(a.side), i32(SB)])
    }
}
