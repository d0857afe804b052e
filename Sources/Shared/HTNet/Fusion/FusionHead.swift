import Foundation
import Tensor

/// Everything above HTNet's pooled embedding when features are fused: (e [B, C], f [B, F]) ->
/// logits [B, classes], with explicit forward and backward (formulas in FusionKind). Early fusions
/// build z and apply mlp_head.2; late fusions apply mlp_head.2 to e and their own head to f and
/// combine the two distributions. `backward` overwrites dE and the gradient of every parameter
/// it owns (each written once, so the model's gradient buffer needs no zeroing); features are
/// inputs, not trained, so no dF is formed.
final class FusionHead {
    let spec: FusionSpec
    let embeddingWidth: Int, classes: Int, outputWidth: Int
    let classifier: PointwiseLinear            // mlp_head.2: on z (early) or on e (late: A)
    let projectE, projectF: PointwiseLinear?
    let gateE, gateF: PointwiseLinear?
    let attentionVector: Int?
    let output: PointwiseLinear?               // bilinear's P_o
    let gamma, beta: PointwiseLinear?          // FiLM
    let featureHead: PointwiseLinear?          // late fusions' B
    let omega: Int?
    // Activations kept for backward, [maxBatch, width] each.
    let z, dz, ue, uf, due, duf, aux, daux, gammaOut, betaOut, dGamma, scoresE, scoresF, probsE, probsF, mixed: FloatBuffer
    let alpha: FloatBuffer                     // attention weights [maxBatch, 2]

    init(spec: FusionSpec, embeddingWidth c: Int, classes k: Int, layout: ParameterLayout, maxBatch: Int) {
        precondition(spec.kind != .none, "FusionHead needs a fusion; `none` is the plain classifier")
        typealias N = FusionParameterNames
        self.spec = spec
        embeddingWidth = c
        classes = k
        let d = spec.width, f = spec.featureCount
        let w = spec.outputWidth(embedding: c, classes: k)
        outputWidth = w
        func linear(_ input: Int, _ out: Int, _ weight: String, _ bias: String?) -> PointwiseLinear {
            PointwiseLinear(input: input, output: out, weight: layout[weight].offset, bias: bias.map { layout[$0].offset })
        }
        classifier = linear(spec.kind.isLate ? c : w, k, "mlp_head.2.weight", "mlp_head.2.bias")
        projectE = spec.projects ? linear(c, d, N.projectEWeight, N.projectEBias) : nil
        projectF = spec.projects ? linear(f, d, N.projectFWeight, N.projectFBias) : nil
        gateE = spec.kind == .gated ? linear(c, d, N.gateEWeight, nil) : nil
        gateF = spec.kind == .gated ? linear(f, d, N.gateFWeight, N.gateBias) : nil
        attentionVector = spec.kind == .attention ? layout[N.attentionVector].offset : nil
        output = spec.kind == .bilinear ? linear(d, d, N.outputWeight, N.outputBias) : nil
        gamma = spec.kind == .film ? linear(f, c, N.gammaWeight, N.gammaBias) : nil
        beta = spec.kind == .film ? linear(f, c, N.betaWeight, N.betaBias) : nil
        featureHead = spec.kind.isLate ? linear(f, k, N.featureHeadWeight, N.featureHeadBias) : nil
        omega = spec.kind == .lateWeighted ? layout[N.omega].offset : nil
        func buffer(_ width: Int, _ needed: Bool = true) -> FloatBuffer { FloatBuffer(count: needed ? maxBatch * width : 0) }
        let early = !spec.kind.isLate
        z = buffer(w, early); dz = buffer(w, early)
        ue = buffer(d, spec.projects); uf = buffer(d, spec.projects)
        due = buffer(d, spec.projects); duf = buffer(d, spec.projects)
        aux = buffer(d, [.gated, .bilinear].contains(spec.kind)); daux = buffer(d, [.gated, .bilinear].contains(spec.kind))
        gammaOut = buffer(c, spec.kind == .film); betaOut = buffer(c, spec.kind == .film); dGamma = buffer(c, spec.kind == .film)
        scoresE = buffer(k, !early); scoresF = buffer(k, !early)
        probsE = buffer(k, !early); probsF = buffer(k, !early); mixed = buffer(k, !early)
        alpha = buffer(2, spec.kind == .attention)
    }

    /// w = sigma(omega) of the weighted late fusion, 1/2 for the plain average.
    func lateWeight(_ p: UnsafePointer<Float>) -> Float {
        guard let omega else { return 0.5 }
        return 1 / (1 + Foundation.exp(-p[omega]))
    }

    func forward(_ p: UnsafeMutablePointer<Float>, e: UnsafePointer<Float>, f: UnsafePointer<Float>,
                 logits: UnsafeMutablePointer<Float>, batch: Int) {
        if spec.kind.isLate {
            lateForward(p, e: e, f: f, logits: logits, batch: batch)
            return
        }
        let c = embeddingWidth, nf = spec.featureCount, d = spec.width, w = outputWidth
        if let projectE, let projectF {
            projectE.forward(p, x: e, y: ue.pointer, tokens: batch)
            projectF.forward(p, x: f, y: uf.pointer, tokens: batch)
        }
        let zp = z.pointer, a = ue.pointer, b = uf.pointer
        switch spec.kind {
        case .featureOnly: zp.update(from: f, count: batch * nf)
        case .concatenation:
            for s in 0..<batch {
                (zp + s * w).update(from: e + s * c, count: c)
                (zp + s * w + c).update(from: f + s * nf, count: nf)
            }
        case .projectedConcatenation:
            for s in 0..<batch {
                (zp + s * w).update(from: a + s * d, count: d)
                (zp + s * w + d).update(from: b + s * d, count: d)
            }
        case .sum: for i in 0..<batch * d { zp[i] = a[i] + b[i] }
        case .hadamard: for i in 0..<batch * d { zp[i] = a[i] * b[i] }
        case .max: for i in 0..<batch * d { zp[i] = Swift.max(a[i], b[i]) }
        case .gated:
            let g = aux.pointer
            gateE!.forward(p, x: e, y: g, tokens: batch)
            gateF!.forward(p, x: f, y: g, tokens: batch, residual: true)
            for i in 0..<batch * d {
                g[i] = 1 / (1 + Foundation.exp(-g[i]))
                zp[i] = g[i] * a[i] + (1 - g[i]) * b[i]
            }
        case .attention:
            let v = p + attentionVector!
            for s in 0..<batch {
                var scoreE: Float = 0, scoreF: Float = 0
                for j in 0..<d {
                    scoreE += v[j] * Foundation.tanh(a[s * d + j])
                    scoreF += v[j] * Foundation.tanh(b[s * d + j])
                }
                let top = Swift.max(scoreE, scoreF)
                let xe = Foundation.exp(scoreE - top), xf = Foundation.exp(scoreF - top)
                let alphaE = xe / (xe + xf), alphaF = xf / (xe + xf)
                alpha[2 * s] = alphaE
                alpha[2 * s + 1] = alphaF
                for j in 0..<d { zp[s * d + j] = alphaE * a[s * d + j] + alphaF * b[s * d + j] }
            }
        case .bilinear:
            let h = aux.pointer
            for i in 0..<batch * d { h[i] = Foundation.tanh(a[i]) * Foundation.tanh(b[i]) }
            output!.forward(p, x: h, y: zp, tokens: batch)
        case .film:
            gamma!.forward(p, x: f, y: gammaOut.pointer, tokens: batch)
            beta!.forward(p, x: f, y: betaOut.pointer, tokens: batch)
            let gp = gammaOut.pointer, bp = betaOut.pointer
            for i in 0..<batch * c { zp[i] = (1 + gp[i]) * e[i] + bp[i] }
        case .none, .lateAverage, .lateWeighted, .lateProduct, .lateMax: preconditionFailure("not an early fusion")
        }
        classifier.forward(p, x: zp, y: logits, tokens: batch)
    }

    /// Smallest probability the log of a late fusion's mixture sees (keeps log finite).
    static let probabilityFloor: Float = 1e-30

    private func lateForward(_ p: UnsafeMutablePointer<Float>, e: UnsafePointer<Float>, f: UnsafePointer<Float>,
                             logits: UnsafeMutablePointer<Float>, batch: Int) {
        let k = classes
        classifier.forward(p, x: e, y: scoresE.pointer, tokens: batch)
        featureHead!.forward(p, x: f, y: scoresF.pointer, tokens: batch)
        FusionHead.softmaxRows(scoresE.pointer, into: probsE.pointer, rows: batch, columns: k)
        FusionHead.softmaxRows(scoresF.pointer, into: probsF.pointer, rows: batch, columns: k)
        let pe = probsE.pointer, pf = probsF.pointer, m = mixed.pointer
        let w = lateWeight(p)
        for i in 0..<batch * k {
            switch spec.kind {
            case .lateAverage, .lateWeighted: m[i] = w * pe[i] + (1 - w) * pf[i]
            case .lateMax: m[i] = Swift.max(pe[i], pf[i])
            default: m[i] = 0
            }
            if spec.kind == .lateProduct {
                // log softmax(s) = log p, computed from p with the same floor as the mixtures.
                logits[i] = Foundation.log(Swift.max(pe[i], FusionHead.probabilityFloor)) + Foundation.log(Swift.max(pf[i], FusionHead.probabilityFloor))
            } else {
                logits[i] = Foundation.log(Swift.max(m[i], FusionHead.probabilityFloor))
            }
        }
    }

    /// dLogits [B, classes] -> dE [B, C] (overwritten) and every owned parameter's gradient.
    func backward(_ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, e: UnsafePointer<Float>,
                  f: UnsafePointer<Float>, dLogits: UnsafePointer<Float>, dE: UnsafeMutablePointer<Float>, batch: Int) {
        if spec.kind.isLate {
            lateBackward(p, g, e: e, f: f, dLogits: dLogits, dE: dE, batch: batch)
            return
        }
        let c = embeddingWidth, d = spec.width, w = outputWidth
        let zp = z.pointer, dzp = dz.pointer
        classifier.backward(p, g, x: zp, dy: dLogits, dx: dzp, tokens: batch)
        let a = ue.pointer, b = uf.pointer, da = due.pointer, db = duf.pointer
        switch spec.kind {
        case .featureOnly: dE.update(repeating: 0, count: batch * c)
        case .concatenation:
            for s in 0..<batch { (dE + s * c).update(from: dzp + s * w, count: c) }
        case .projectedConcatenation:
            for s in 0..<batch {
                (da + s * d).update(from: dzp + s * w, count: d)
                (db + s * d).update(from: dzp + s * w + d, count: d)
            }
        case .sum:
            da.update(from: dzp, count: batch * d)
            db.update(from: dzp, count: batch * d)
        case .hadamard:
            for i in 0..<batch * d { da[i] = dzp[i] * b[i]; db[i] = dzp[i] * a[i] }
        case .max:
            for i in 0..<batch * d {
                let toE = a[i] >= b[i]
                da[i] = toE ? dzp[i] : 0
                db[i] = toE ? 0 : dzp[i]
            }
        case .gated:
            let gate = aux.pointer, ds = daux.pointer
            for i in 0..<batch * d {
                da[i] = dzp[i] * gate[i]
                db[i] = dzp[i] * (1 - gate[i])
                ds[i] = dzp[i] * (a[i] - b[i]) * gate[i] * (1 - gate[i])
            }
        case .attention:
            let v = p + attentionVector!, dv = g + attentionVector!
            dv.update(repeating: 0, count: d)
            for s in 0..<batch {
                let alphaE = alpha[2 * s], alphaF = alpha[2 * s + 1]
                var dAlphaE: Float = 0, dAlphaF: Float = 0
                for j in 0..<d {
                    dAlphaE += dzp[s * d + j] * a[s * d + j]
                    dAlphaF += dzp[s * d + j] * b[s * d + j]
                }
                let mean = alphaE * dAlphaE + alphaF * dAlphaF
                let dScoreE = alphaE * (dAlphaE - mean), dScoreF = alphaF * (dAlphaF - mean)
                for j in 0..<d {
                    let te = Foundation.tanh(a[s * d + j]), tf = Foundation.tanh(b[s * d + j])
                    da[s * d + j] = alphaE * dzp[s * d + j] + dScoreE * v[j] * (1 - te * te)
                    db[s * d + j] = alphaF * dzp[s * d + j] + dScoreF * v[j] * (1 - tf * tf)
                    dv[j] += dScoreE * te + dScoreF * tf
                }
            }
        case .bilinear:
            let h = aux.pointer, dh = daux.pointer
            output!.backward(p, g, x: h, dy: dzp, dx: dh, tokens: batch)
            for i in 0..<batch * d {
                let te = Foundation.tanh(a[i]), tf = Foundation.tanh(b[i])
                da[i] = dh[i] * tf * (1 - te * te)
                db[i] = dh[i] * te * (1 - tf * tf)
            }
        case .film:
            let gp = gammaOut.pointer, dg = dGamma.pointer
            // dgamma = dz ⊙ e, dbeta = dz.
            for i in 0..<batch * c {
                dE[i] = dzp[i] * (1 + gp[i])
                dg[i] = dzp[i] * e[i]
            }
            gamma!.backward(p, g, x: f, dy: dg, dx: nil, tokens: batch)
            beta!.backward(p, g, x: f, dy: dzp, dx: nil, tokens: batch)
        case .none, .lateAverage, .lateWeighted, .lateProduct, .lateMax: preconditionFailure("not an early fusion")
        }
        if let projectE, let projectF {
            projectE.backward(p, g, x: e, dy: da, dx: dE, tokens: batch)
            projectF.backward(p, g, x: f, dy: db, dx: nil, tokens: batch)
        }
        if spec.kind == .gated {
            gateE!.backward(p, g, x: e, dy: daux.pointer, dx: dE, accumulate: true, tokens: batch)
            gateF!.backward(p, g, x: f, dy: daux.pointer, dx: nil, tokens: batch)
        }
    }

    private func lateBackward(_ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, e: UnsafePointer<Float>,
                              f: UnsafePointer<Float>, dLogits: UnsafePointer<Float>, dE: UnsafeMutablePointer<Float>, batch: Int) {
        let k = classes
        let pe = probsE.pointer, pf = probsF.pointer, m = mixed.pointer
        // dProbs into the score buffers (their forward values are no longer needed), then softmax's backward in place.
        let dpe = scoresE.pointer, dpf = scoresF.pointer
        let w = lateWeight(p)
        var dOmega = 0.0
        for i in 0..<batch * k {
            switch spec.kind {
            case .lateProduct:
                // d log p / dp = 1 / p on each factor (the floor is never reached by a finite softmax in practice).
                dpe[i] = dLogits[i] / Swift.max(pe[i], FusionHead.probabilityFloor)
                dpf[i] = dLogits[i] / Swift.max(pf[i], FusionHead.probabilityFloor)
            case .lateMax:
                let dm = m[i] > FusionHead.probabilityFloor ? dLogits[i] / m[i] : 0
                let toE = pe[i] >= pf[i]
                dpe[i] = toE ? dm : 0
                dpf[i] = toE ? 0 : dm
            default:
                let dm = m[i] > FusionHead.probabilityFloor ? dLogits[i] / m[i] : 0
                dpe[i] = w * dm
                dpf[i] = (1 - w) * dm
                dOmega += Double(dm * (pe[i] - pf[i]))
            }
        }
        FusionHead.softmaxBackwardRows(probs: pe, grad: dpe, rows: batch, columns: k)
        FusionHead.softmaxBackwardRows(probs: pf, grad: dpf, rows: batch, columns: k)
        classifier.backward(p, g, x: e, dy: dpe, dx: dE, tokens: batch)
        featureHead!.backward(p, g, x: f, dy: dpf, dx: nil, tokens: batch)
        if let omega { g[omega] = Float(dOmega) * w * (1 - w) }
    }

    static func softmaxRows(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, rows: Int, columns k: Int) {
        for r in 0..<rows {
            let xr = x + r * k, yr = y + r * k
            var top = xr[0]
            for j in 1..<k { top = Swift.max(top, xr[j]) }
            var sum: Float = 0
            for j in 0..<k { yr[j] = Foundation.exp(xr[j] - top); sum += yr[j] }
            for j in 0..<k { yr[j] /= sum }
        }
    }

    /// grad <- p ⊙ (grad - <p, grad>) row by row: dLoss/dscores from dLoss/dprobabilities.
    static func softmaxBackwardRows(probs: UnsafePointer<Float>, grad: UnsafeMutablePointer<Float>, rows: Int, columns k: Int) {
        for r in 0..<rows {
            let pr = probs + r * k, gr = grad + r * k
            var dot: Float = 0
            for j in 0..<k { dot += pr[j] * gr[j] }
            for j in 0..<k { gr[j] = pr[j] * (gr[j] - dot) }
        }
    }
}
