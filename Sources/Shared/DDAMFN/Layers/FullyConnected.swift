import Tensor

/// The classifier `fc`: logits [B, C] = X^T . W^T + b from channel-major features X [in, B], W in
/// PyTorch's [C, in] layout; the input gradient comes back channel-major, [in, B].
final class FullyConnected {
    let input: Int, output: Int
    let weight: Int, bias: Int
    let y: FloatBuffer
    let dx: FloatBuffer
    private var x: UnsafePointer<Float>?

    init(_ table: ParameterTable, _ prefix: String, input: Int, output: Int, maxBatch: Int) {
        self.input = input; self.output = output
        weight = table.weight(prefix + ".weight", [output, input])
        bias = table.bias(prefix + ".bias", output, fanIn: input)
        table.addWork(input * output)
        y = FloatBuffer(count: maxBatch * output)
        dx = FloatBuffer(count: maxBatch * input)
    }

    func forward(_ x: UnsafePointer<Float>, _ pass: Pass) -> Floats {
        self.x = x
        let p = pass.parameters
        for b in 0..<pass.batch { (y.pointer + b * output).update(from: p + bias, count: output) }
        BLAS.gemm(.transpose, .transpose, m: pass.batch, n: output, k: input, a: x, lda: pass.batch, b: p + weight, ldb: input,
                  beta: 1, c: y.pointer, ldc: output)
        return y.pointer
    }

    func backward(_ dy: UnsafePointer<Float>, _ pass: Pass) -> Floats {
        let p = pass.parameters, g = pass.gradients
        BLAS.gemm(.transpose, .transpose, m: output, n: input, k: pass.batch, a: dy, lda: output, b: x!, ldb: pass.batch,
                  beta: 0, c: g + weight, ldc: input)
        for j in 0..<output {
            var s: Float = 0
            for b in 0..<pass.batch { s += dy[b * output + j] }
            g[bias + j] = s
        }
        BLAS.gemm(.transpose, .transpose, m: input, n: pass.batch, k: output, a: p + weight, lda: input, b: dy, ldb: output,
                  beta: 0, c: dx.pointer, ldc: pass.batch)
        return dx.pointer
    }
}
