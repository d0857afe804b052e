import Tensor

/// ConvBN (a dense or depthwise convolution, then BatchNorm), optionally followed by PReLU:
/// the reference's `Conv_block` (with PReLU) and `Linear_block` (without), under `<prefix>.conv`,
/// `<prefix>.bn`, `<prefix>.prelu`.
final class ConvBNPReLU {
    enum Filter {
        case dense(Convolution)
        case depthwise(DepthwiseConvolution)
    }
    let filter: Filter
    let norm: BatchNorm
    let activation: PReLU?
    let outHeight: Int, outWidth: Int

    init(_ table: ParameterTable, _ prefix: String, input: Int, output: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
         depthwise: Bool = false, activation: Bool = true, height: Int, width: Int, maxBatch: Int, needsInputGradient: Bool = true) {
        if depthwise {
            precondition(input == output, "a depthwise ConvBN keeps its channels")
            let d = DepthwiseConvolution(table, prefix + ".conv", channels: input, kernelHeight: kernel, kernelWidth: kernel,
                                         stride: stride, padHeight: padding, padWidth: padding, height: height, width: width,
                                         maxBatch: maxBatch)
            filter = .depthwise(d)
            outHeight = d.geometry.outHeight; outWidth = d.geometry.outWidth
        } else {
            let c = Convolution(table, prefix + ".conv", input: input, output: output, kernel: kernel, stride: stride,
                                padding: padding, height: height, width: width, maxBatch: maxBatch,
                                needsInputGradient: needsInputGradient)
            filter = .dense(c)
            outHeight = c.outHeight; outWidth = c.outWidth
        }
        let positions = outHeight * outWidth
        norm = BatchNorm(table, prefix + ".bn", channels: output, positions: positions, maxBatch: maxBatch)
        self.activation = activation ? PReLU(table, prefix + ".prelu", channels: output, positions: positions, maxBatch: maxBatch) : nil
    }

    func forward(_ x: UnsafePointer<Float>, _ pass: Pass) -> Floats {
        let filtered: Floats
        switch filter {
        case let .dense(c): filtered = c.forward(x, pass)
        case let .depthwise(d): filtered = d.forward(x, pass)
        }
        let normed = norm.forward(filtered, pass)
        return activation?.forward(normed, pass) ?? normed
    }

    @discardableResult
    func backward(_ dy: UnsafePointer<Float>, _ pass: Pass) -> Floats? {
        let dNormed = activation.map { UnsafePointer($0.backward(dy, pass)) } ?? dy
        let dFiltered = norm.backward(dNormed, pass)
        switch filter {
        case let .dense(c): return c.backward(dFiltered, pass)
        case let .depthwise(d): return d.backward(dFiltered, pass)
        }
    }
}
