/// How a metric loss stores its class vectors (one per class, in embedding space), following
/// pytorch-metric-learning so that checkpoints map one to one onto its state_dicts.
public enum ClassVectorLayout: String, Sendable, Hashable, Codable {
    /// [classes, dim]: ProxyAnchorLoss.proxies.
    case classMajor
    /// [dim, classes]: LargeMarginSoftmaxLoss.W (ArcFace, CosFace); class j is column j.
    case dimensionMajor
}

/// Cosine similarities between embeddings x [batch, dim] and class vectors w, as
/// pytorch-metric-learning's CosineSimilarity computes them: both sides divided by their L2 norm
/// (clamped below at 1e-12, as torch.nn.functional.normalize does), then dot products.
/// Keeps the unit vectors and norms for `backward`.
struct CosineSimilarity<T: LossScalar> {
    let batch: Int, dim: Int, classes: Int
    let layout: ClassVectorLayout
    private(set) var xHat: [T], xNorm: [T]
    /// Unit class vectors, class-major [classes, dim] whatever the stored layout.
    private(set) var wHat: [T], wNorm: [T]
    /// cos[b * classes + j]
    private(set) var cos: [T]

    static var normFloor: T { T(1e-12) }

    init(x: UnsafePointer<T>, w: UnsafePointer<T>, batch: Int, dim: Int, classes: Int, layout: ClassVectorLayout) {
        self.batch = batch
        self.dim = dim
        self.classes = classes
        self.layout = layout
        xHat = [T](repeating: 0, count: batch * dim)
        xNorm = [T](repeating: 0, count: batch)
        wHat = [T](repeating: 0, count: classes * dim)
        wNorm = [T](repeating: 0, count: classes)
        cos = [T](repeating: 0, count: batch * classes)
        for b in 0..<batch {
            var s: T = 0
            for k in 0..<dim { s += x[b * dim + k] * x[b * dim + k] }
            let n = max(s.squareRoot(), Self.normFloor)
            xNorm[b] = n
            for k in 0..<dim { xHat[b * dim + k] = x[b * dim + k] / n }
        }
        for j in 0..<classes {
            var s: T = 0
            for k in 0..<dim { let v = w[Self.index(j, k, dim: dim, classes: classes, layout: layout)]; s += v * v }
            let n = max(s.squareRoot(), Self.normFloor)
            wNorm[j] = n
            for k in 0..<dim { wHat[j * dim + k] = w[Self.index(j, k, dim: dim, classes: classes, layout: layout)] / n }
        }
        for b in 0..<batch {
            for j in 0..<classes {
                var s: T = 0
                for k in 0..<dim { s += xHat[b * dim + k] * wHat[j * dim + k] }
                cos[b * classes + j] = s
            }
        }
    }

    /// Position of component k of class j's vector in the stored layout.
    @inline(__always)
    static func index(_ j: Int, _ k: Int, dim: Int, classes: Int, layout: ClassVectorLayout) -> Int {
        layout == .classMajor ? j * dim + k : k * classes + j
    }

    /// dCos [batch, classes] -> dx [batch, dim] and dw (stored layout), both overwritten.
    /// Through u = v / |v|: dv = (du - u (u . du)) / |v| (where the norm was clamped, dv = du / 1e-12).
    func backward(dCos: [T], dx: UnsafeMutablePointer<T>?, dw: UnsafeMutablePointer<T>?) {
        if let dx {
            var du = [T](repeating: 0, count: dim)
            for b in 0..<batch {
                for k in 0..<dim { du[k] = 0 }
                for j in 0..<classes {
                    let d = dCos[b * classes + j]
                    if d == 0 { continue }
                    for k in 0..<dim { du[k] += d * wHat[j * dim + k] }
                }
                Self.throughNormalisation(du, unit: xHat, row: b, norm: xNorm[b], dim: dim) { k, v in dx[b * dim + k] = v }
            }
        }
        if let dw {
            var du = [T](repeating: 0, count: dim)
            for j in 0..<classes {
                for k in 0..<dim { du[k] = 0 }
                for b in 0..<batch {
                    let d = dCos[b * classes + j]
                    if d == 0 { continue }
                    for k in 0..<dim { du[k] += d * xHat[b * dim + k] }
                }
                Self.throughNormalisation(du, unit: wHat, row: j, norm: wNorm[j], dim: dim) { k, v in
                    dw[Self.index(j, k, dim: dim, classes: classes, layout: layout)] = v
                }
            }
        }
    }

    @inline(__always)
    private static func throughNormalisation(_ du: [T], unit: [T], row: Int, norm: T, dim: Int, write: (Int, T) -> Void) {
        if norm <= normFloor {
            for k in 0..<dim { write(k, du[k] / normFloor) }
            return
        }
        var dot: T = 0
        for k in 0..<dim { dot += unit[row * dim + k] * du[k] }
        for k in 0..<dim { write(k, (du[k] - unit[row * dim + k] * dot) / norm) }
    }
}
