import Tensor

/// M = elementwise maximum over the heads' maps, folded left: max(max(A_0, A_1), A_2), ...
/// Backward as PyTorch's `torch.max(a, b)`: the gradient goes to the larger argument and is
/// halved between both on an exact tie; the fold is undone step by step from the last head.
final class HeadMaximum {
    /// partial[k] = max over heads 0...k+1; the last one is M.
    let partial: [FloatBuffer]
    let dPartial: FloatBuffer
    let singleHead: Bool

    init(heads: Int, elements: Int) {
        singleHead = heads == 1
        partial = (0..<max(0, heads - 1)).map { _ in FloatBuffer(count: elements) }
        dPartial = FloatBuffer(count: elements)
    }

    func forward(_ maps: [UnsafePointer<Float>], elements n: Int) -> UnsafePointer<Float> {
        if singleHead { return maps[0] }
        var previous = maps[0]
        for k in 1..<maps.count {
            let out = partial[k - 1].pointer, a = maps[k], p = previous
            for i in 0..<n { out[i] = max(p[i], a[i]) }
            previous = UnsafePointer(out)
        }
        return previous
    }

    /// Adds each head's share of dM into `dMaps[k]` (which the caller has initialised).
    func backward(_ dm: UnsafePointer<Float>, maps: [UnsafePointer<Float>], dMaps: [Floats], elements n: Int) {
        if singleHead {
            for i in 0..<n { dMaps[0][i] += dm[i] }
            return
        }
        let d = dPartial.pointer
        d.update(from: dm, count: n)
        for k in stride(from: maps.count - 1, through: 1, by: -1) {
            let left = k == 1 ? maps[0] : UnsafePointer(partial[k - 2].pointer), right = maps[k]
            let dr = dMaps[k]
            for i in 0..<n {
                let g = d[i]
                if left[i] > right[i] { d[i] = g }
                else if left[i] < right[i] { dr[i] += g; d[i] = 0 }
                else { let half = g / 2; dr[i] += half; d[i] = half }
            }
        }
        for i in 0..<n { dMaps[0][i] += d[i] }
    }
}
