import Tensor

/// The backbone's inverted-residual block with mixed depthwise kernels (`Mix_Depth_Wise`):
/// `conv` (1x1 ConvBNPReLU, cin -> E), `conv_dw` (MixConv, stride s), `CA` (coordinate attention
/// on E channels), `project` (1x1 ConvBN, E -> cout, no activation); with `residual`, the block's
/// input is added to the result.
final class MixBlock {
    let expand: ConvBNPReLU
    let mix: MixedDepthwiseConvolution
    let attention: CoordinateAttention
    let project: ConvBNPReLU
    let residual: Bool
    let outHeight: Int, outWidth: Int, output: Int
    let y: FloatBuffer?
    let dx: FloatBuffer?

    init(_ table: ParameterTable, _ prefix: String, stage s: DDAMFNConfig.MixStage, residual: Bool,
         height: Int, width: Int, maxBatch: Int) {
        let e = s.expansion
        expand = ConvBNPReLU(table, prefix + ".conv", input: s.input, output: e, kernel: 1, height: height, width: width, maxBatch: maxBatch)
        mix = MixedDepthwiseConvolution(table, prefix + ".conv_dw", channels: e, kernels: s.kernels, split: s.split,
                                        stride: s.stride, height: height, width: width, maxBatch: maxBatch)
        outHeight = mix.outHeight; outWidth = mix.outWidth; output = s.output
        attention = CoordinateAttention(table, prefix + ".CA", channels: e, width: s.attentionWidth, height: outHeight,
                                        side: outWidth, maxBatch: maxBatch)
        project = ConvBNPReLU(table, prefix + ".project", input: e, output: s.output, kernel: 1, activation: false,
                              height: outHeight, width: outWidth, maxBatch: maxBatch)
        precondition(!residual || (s.input == s.output && s.stride == 1), "a residual MixBlock keeps its shape")
        self.residual = residual
        let count = maxBatch * s.output * outHeight * outWidth
        y = residual ? FloatBuffer(count: count) : nil
        dx = residual ? FloatBuffer(count: count) : nil
    }

    func forward(_ x: UnsafePointer<Float>, _ pass: Pass) -> Floats {
        let t = project.forward(attention.forward(mix.forward(expand.forward(x, pass), pass), pass), pass)
        guard let y else { return t }
        let out = y.pointer, n = pass.batch * output * outHeight * outWidth
        for i in 0..<n { out[i] = x[i] + t[i] }
        return out
    }

    func backward(_ dy: UnsafePointer<Float>, _ pass: Pass) -> Floats {
        let d = expand.backward(mix.backward(attention.backward(project.backward(dy, pass)!, pass), pass), pass)!
        guard let dx else { return d }
        let out = dx.pointer, n = pass.batch * output * outHeight * outWidth
        for i in 0..<n { out[i] = d[i] + dy[i] }
        return out
    }
}
