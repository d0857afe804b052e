import Foundation

/// Multi-head softmax attention among the tokens of each block (the reference's
/// `softmax(q k^T * scale) v` with heads as the slower index of `(h d)`).
///
/// Blocks hold few tokens (1 in the paper configuration, up to 16 here), so the per-block products
/// are plain loops; the projections around it (to_qkv, to_out) are the large sgemms.
struct BlockAttention {
    let heads: Int
    let dimHead: Int
    var inner: Int { heads * dimHead }
    var scale: Float { 1 / Float(dimHead).squareRoot() }

    /// qkv [tokens, 3*inner] -> out [tokens, inner]; keeps probabilities [blocks, heads, L, L].
    func forward(qkv: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, probs: UnsafeMutablePointer<Float>,
                 geometry g: BlockGeometry, batch: Int) {
        let L = g.seqLen, stride = 3 * inner, dh = dimHead, sc = scale
        g.tokenOrder.withUnsafeBufferPointer { order in
            for k in 0..<g.blocks(batch: batch) {
                let tok = order.baseAddress! + k * L
                for h in 0..<heads {
                    let pr = probs + ((k * heads + h) * L * L)
                    for i in 0..<L {
                        let q = qkv + Int(tok[i]) * stride + h * dh
                        let row = pr + i * L
                        var mx = -Float.infinity
                        for j in 0..<L {
                            let kv = qkv + Int(tok[j]) * stride + inner + h * dh
                            var s: Float = 0
                            for d in 0..<dh { s += q[d] * kv[d] }
                            s *= sc
                            row[j] = s
                            mx = max(mx, s)
                        }
                        var sum: Float = 0
                        for j in 0..<L { let e = expf(row[j] - mx); row[j] = e; sum += e }
                        let inv = 1 / sum
                        for j in 0..<L { row[j] *= inv }
                        let o = out + Int(tok[i]) * inner + h * dh
                        for d in 0..<dh { o[d] = 0 }
                        for j in 0..<L {
                            let v = qkv + Int(tok[j]) * stride + 2 * inner + h * dh
                            let pij = row[j]
                            for d in 0..<dh { o[d] += pij * v[d] }
                        }
                    }
                }
            }
        }
    }

    /// dout [tokens, inner] -> dqkv [tokens, 3*inner] (overwritten).
    func backward(qkv: UnsafePointer<Float>, probs: UnsafePointer<Float>, dout: UnsafePointer<Float>,
                  dqkv: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>,
                  geometry g: BlockGeometry, batch: Int) {
        let L = g.seqLen, stride = 3 * inner, dh = dimHead, sc = scale
        dqkv.update(repeating: 0, count: g.blocks(batch: batch) * L * stride)
        let dP = scratch  // L*L
        g.tokenOrder.withUnsafeBufferPointer { order in
            for k in 0..<g.blocks(batch: batch) {
                let tok = order.baseAddress! + k * L
                for h in 0..<heads {
                    let pr = probs + ((k * heads + h) * L * L)
                    // dP = dO V^T ; dV += P^T dO
                    for i in 0..<L {
                        let dO = dout + Int(tok[i]) * inner + h * dh
                        for j in 0..<L {
                            let v = qkv + Int(tok[j]) * stride + 2 * inner + h * dh
                            let dv = dqkv + Int(tok[j]) * stride + 2 * inner + h * dh
                            var s: Float = 0
                            let pij = pr[i * L + j]
                            for d in 0..<dh { s += dO[d] * v[d]; dv[d] += pij * dO[d] }
                            dP[i * L + j] = s
                        }
                    }
                    // dS = P * (dP - rowsum(P * dP)); dQ = scale dS K; dK += scale dS^T Q
                    for i in 0..<L {
                        var dot: Float = 0
                        for j in 0..<L { dot += pr[i * L + j] * dP[i * L + j] }
                        let q = qkv + Int(tok[i]) * stride + h * dh
                        let dq = dqkv + Int(tok[i]) * stride + h * dh
                        for j in 0..<L {
                            let ds = pr[i * L + j] * (dP[i * L + j] - dot) * sc
                            if ds == 0 { continue }
                            let kk = qkv + Int(tok[j]) * stride + inner + h * dh
                            let dk = dqkv + Int(tok[j]) * stride + inner + h * dh
                            for d in 0..<dh { dq[d] += ds * kk[d]; dk[d] += ds * q[d] }
                        }
                    }
                }
            }
        }
    }
}
