import Tensor

/// One dual-direction attention head (`cat_head<i>.CoordinateAttention`) on F [B, C, S, S]:
/// `Linear_h` (depthwise 1 x S, then BN) sums along each row, `Linear_w` (depthwise S x 1, then BN)
/// down each column; the row part stacked above the column part feeds the attention bottleneck
/// (m = 16); the head's map is A = a_w * a_h broadcast to [B, C, S, S]. Unlike the backbone's
/// CoordAtt it does not multiply by its input. Its `Linear` (a depthwise S x S ConvBN) is
/// registered, as the reference owns it, and never applied.
final class DualDirectionHead {
    let channels: Int, side: Int
    let rowFilter: DepthwiseConvolution, rowNorm: BatchNorm
    let columnFilter: DepthwiseConvolution, columnNorm: BatchNorm
    let bottleneck: AttentionBottleneck
    let stacked: FloatBuffer
    let map: FloatBuffer
    /// The gradient of the loss with respect to `map`, filled by the model before `backward`.
    let dMap: FloatBuffer
    let dRow: FloatBuffer, dColumn: FloatBuffer
    let dRowPart: FloatBuffer, dColumnPart: FloatBuffer
    let dx: FloatBuffer

    init(_ table: ParameterTable, _ prefix: String, channels: Int, side: Int, width m: Int, maxBatch: Int) {
        self.channels = channels; self.side = side
        rowFilter = DepthwiseConvolution(table, prefix + ".Linear_h.conv", channels: channels, kernelHeight: 1, kernelWidth: side,
                                         height: side, width: side, maxBatch: maxBatch)
        rowNorm = BatchNorm(table, prefix + ".Linear_h.bn", channels: channels, positions: side, maxBatch: maxBatch)
        columnFilter = DepthwiseConvolution(table, prefix + ".Linear_w.conv", channels: channels, kernelHeight: side, kernelWidth: 1,
                                            height: side, width: side, maxBatch: maxBatch)
        columnNorm = BatchNorm(table, prefix + ".Linear_w.bn", channels: channels, positions: side, maxBatch: maxBatch)
        bottleneck = AttentionBottleneck(table, prefix, channels: channels, width: m, rows: side, columns: side, maxBatch: maxBatch)
        _ = table.weight(prefix + ".Linear.conv.weight", [channels, 1, side, side], used: false)
        _ = table.batchNorm(prefix + ".Linear.bn", channels, used: false)
        let plane = maxBatch * channels
        stacked = FloatBuffer(count: plane * 2 * side)
        map = FloatBuffer(count: plane * side * side)
        dMap = FloatBuffer(count: plane * side * side)
        dRow = FloatBuffer(count: plane * side)
        dColumn = FloatBuffer(count: plane * side)
        dRowPart = FloatBuffer(count: plane * side)
        dColumnPart = FloatBuffer(count: plane * side)
        dx = FloatBuffer(count: plane * side * side)
    }

    func forward(_ f: UnsafePointer<Float>, _ pass: Pass) -> Floats {
        let s = side, planes = pass.batch * channels
        let rows = rowNorm.forward(rowFilter.forward(f, pass), pass)
        let columns = columnNorm.forward(columnFilter.forward(f, pass), pass)
        let z = stacked.pointer
        for plane in 0..<planes {
            (z + plane * 2 * s).update(from: rows + plane * s, count: s)
            (z + plane * 2 * s + s).update(from: columns + plane * s, count: s)
        }
        bottleneck.forward(z, pass)
        let ah = bottleneck.rowAttention.pointer, aw = bottleneck.columnAttention.pointer, a = map.pointer
        ParallelLoop.ranges(planes, minimumChunk: 64) { range in
            for plane in range {
                let ar = ah + plane * s, ac = aw + plane * s, ap = a + plane * s * s
                for r in 0..<s { for c in 0..<s { ap[r * s + c] = ac[c] * ar[r] } }
            }
        }
        return a
    }

    /// From `dMap` to dF (returned).
    func backward(_ pass: Pass) -> Floats {
        let s = side, planes = pass.batch * channels
        let ah = bottleneck.rowAttention.pointer, aw = bottleneck.columnAttention.pointer, da = dMap.pointer
        let dr = dRow.pointer, dc = dColumn.pointer
        ParallelLoop.ranges(planes, minimumChunk: 64) { range in
            for plane in range {
                let ar = ah + plane * s, ac = aw + plane * s, d = da + plane * s * s
                let drp = dr + plane * s, dcp = dc + plane * s
                for c in 0..<s { dcp[c] = 0 }
                for r in 0..<s {
                    var sum: Float = 0
                    for c in 0..<s {
                        sum += d[r * s + c] * ac[c]
                        dcp[c] += d[r * s + c] * ar[r]
                    }
                    drp[r] = sum
                }
            }
        }
        let dz = bottleneck.backward(dRow: dr, dColumn: dc, pass)
        let drow = dRowPart.pointer, dcol = dColumnPart.pointer
        for plane in 0..<planes {
            (drow + plane * s).update(from: dz + plane * 2 * s, count: s)
            (dcol + plane * s).update(from: dz + plane * 2 * s + s, count: s)
        }
        let fromRows = rowFilter.backward(rowNorm.backward(drow, pass), pass)
        let fromColumns = columnFilter.backward(columnNorm.backward(dcol, pass), pass)
        let out = dx.pointer
        for i in 0..<(planes * s * s) { out[i] = fromRows[i] + fromColumns[i] }
        return out
    }
}
