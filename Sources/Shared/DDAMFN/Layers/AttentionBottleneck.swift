import Tensor

/// The part the backbone's coordinate attention and the heads' dual-direction attention share:
/// from a row descriptor stacked above a column descriptor, Z [B, C, H + W], to the two attention
/// vectors a_h [B, C, H] and a_w [B, C, W]:
/// `conv1` (1x1, C -> m, bias), `bn1` (statistics over B x (H + W): rows and columns pooled
/// together), h_swish, split H / W, a_h = sigmoid(`conv2`(rows)), a_w = sigmoid(`conv3`(columns)).
final class AttentionBottleneck {
    let channels: Int, width: Int, rows: Int, columns: Int
    let squeeze: Convolution
    let norm: BatchNorm
    let rowGate: Convolution, columnGate: Convolution
    let activated: FloatBuffer          // h_swish(bn1(conv1(Z))) [B, m, H + W]
    let rowInput: FloatBuffer, columnInput: FloatBuffer
    let rowAttention: FloatBuffer, columnAttention: FloatBuffer
    let dActivated: FloatBuffer
    let dRowGate: FloatBuffer, dColumnGate: FloatBuffer

    init(_ table: ParameterTable, _ prefix: String, channels: Int, width m: Int, rows: Int, columns: Int, maxBatch: Int) {
        self.channels = channels; self.width = m; self.rows = rows; self.columns = columns
        let length = rows + columns
        squeeze = Convolution(table, prefix + ".conv1", input: channels, output: m, bias: true, height: length, width: 1, maxBatch: maxBatch)
        norm = BatchNorm(table, prefix + ".bn1", channels: m, positions: length, maxBatch: maxBatch)
        rowGate = Convolution(table, prefix + ".conv2", input: m, output: channels, bias: true, height: rows, width: 1, maxBatch: maxBatch)
        columnGate = Convolution(table, prefix + ".conv3", input: m, output: channels, bias: true, height: columns, width: 1, maxBatch: maxBatch)
        activated = FloatBuffer(count: maxBatch * m * length)
        rowInput = FloatBuffer(count: maxBatch * m * rows)
        columnInput = FloatBuffer(count: maxBatch * m * columns)
        rowAttention = FloatBuffer(count: maxBatch * channels * rows)
        columnAttention = FloatBuffer(count: maxBatch * channels * columns)
        dActivated = FloatBuffer(count: maxBatch * m * length)
        dRowGate = FloatBuffer(count: maxBatch * channels * rows)
        dColumnGate = FloatBuffer(count: maxBatch * channels * columns)
    }

    /// Fills `rowAttention` and `columnAttention` from Z.
    func forward(_ z: UnsafePointer<Float>, _ pass: Pass) {
        let m = width, h = rows, w = columns, length = h + w, batch = pass.batch
        let normed = norm.forward(squeeze.forward(z, pass), pass)
        let act = activated.pointer, ri = rowInput.pointer, ci = columnInput.pointer
        for i in 0..<(batch * m * length) { act[i] = Activations.hardSwish(normed[i]) }
        for plane in 0..<(batch * m) {
            (ri + plane * h).update(from: act + plane * length, count: h)
            (ci + plane * w).update(from: act + plane * length + h, count: w)
        }
        let sh = rowGate.forward(ri, pass), sw = columnGate.forward(ci, pass)
        let ah = rowAttention.pointer, aw = columnAttention.pointer
        for i in 0..<(batch * channels * h) { ah[i] = Activations.sigmoid(sh[i]) }
        for i in 0..<(batch * channels * w) { aw[i] = Activations.sigmoid(sw[i]) }
    }

    /// From d a_h and d a_w (overwritten with the sigmoid's input gradients) to dZ.
    func backward(dRow: UnsafePointer<Float>, dColumn: UnsafePointer<Float>, _ pass: Pass) -> Floats {
        let m = width, h = rows, w = columns, length = h + w, batch = pass.batch
        let ah = rowAttention.pointer, aw = columnAttention.pointer
        let dsh = dRowGate.pointer, dsw = dColumnGate.pointer
        for i in 0..<(batch * channels * h) { dsh[i] = dRow[i] * (1 - ah[i]) * ah[i] }
        for i in 0..<(batch * channels * w) { dsw[i] = dColumn[i] * (1 - aw[i]) * aw[i] }
        let dri = rowGate.backward(dsh, pass)!, dci = columnGate.backward(dsw, pass)!
        let da = dActivated.pointer, pre = norm.y.pointer
        for plane in 0..<(batch * m) {
            (da + plane * length).update(from: dri + plane * h, count: h)
            (da + plane * length + h).update(from: dci + plane * w, count: w)
        }
        for i in 0..<(batch * m * length) { da[i] *= Activations.hardSwishDerivative(pre[i]) }
        return squeeze.backward(norm.backward(da, pass), pass)!
    }
}

/// The backbone's coordinate attention (CoordAtt) on X [B, C, H, W]: row means (across the width)
/// stacked above column means (across the height) feed the bottleneck; output (X * a_w) * a_h with
/// a_w broadcast over rows and a_h over columns.
final class CoordinateAttention {
    let channels: Int, height: Int, width: Int
    let bottleneck: AttentionBottleneck
    let pooled: FloatBuffer
    let y: FloatBuffer
    let dx: FloatBuffer
    let dRow: FloatBuffer, dColumn: FloatBuffer
    private var x: UnsafePointer<Float>?

    init(_ table: ParameterTable, _ prefix: String, channels: Int, width m: Int, height: Int, side width: Int, maxBatch: Int) {
        self.channels = channels; self.height = height; self.width = width
        bottleneck = AttentionBottleneck(table, prefix, channels: channels, width: m, rows: height, columns: width, maxBatch: maxBatch)
        pooled = FloatBuffer(count: maxBatch * channels * (height + width))
        y = FloatBuffer(count: maxBatch * channels * height * width)
        dx = FloatBuffer(count: maxBatch * channels * height * width)
        dRow = FloatBuffer(count: maxBatch * channels * height)
        dColumn = FloatBuffer(count: maxBatch * channels * width)
    }

    func forward(_ x: UnsafePointer<Float>, _ pass: Pass) -> Floats {
        self.x = x
        let h = height, w = width, length = h + w
        let z = pooled.pointer, out = y.pointer
        ParallelLoop.ranges(pass.batch * channels, minimumChunk: max(1, 16384 / (h * w))) { planes in
            for plane in planes {
                let xp = x + plane * h * w, zp = z + plane * length
                for r in 0..<h {
                    var s: Float = 0
                    for c in 0..<w { s += xp[r * w + c] }
                    zp[r] = s / Float(w)
                }
                for c in 0..<w { zp[h + c] = 0 }
                for r in 0..<h { for c in 0..<w { zp[h + c] += xp[r * w + c] } }
                for c in 0..<w { zp[h + c] /= Float(h) }
            }
        }
        bottleneck.forward(z, pass)
        let ah = bottleneck.rowAttention.pointer, aw = bottleneck.columnAttention.pointer
        ParallelLoop.ranges(pass.batch * channels, minimumChunk: max(1, 16384 / (h * w))) { planes in
            for plane in planes {
                let xp = x + plane * h * w, yp = out + plane * h * w, ar = ah + plane * h, ac = aw + plane * w
                for r in 0..<h { for c in 0..<w { yp[r * w + c] = (xp[r * w + c] * ac[c]) * ar[r] } }
            }
        }
        return out
    }

    func backward(_ dy: UnsafePointer<Float>, _ pass: Pass) -> Floats {
        let h = height, w = width, length = h + w, x = self.x!
        let ah = bottleneck.rowAttention.pointer, aw = bottleneck.columnAttention.pointer
        let dr = dRow.pointer, dc = dColumn.pointer, out = dx.pointer
        ParallelLoop.ranges(pass.batch * channels, minimumChunk: max(1, 16384 / (h * w))) { planes in
            for plane in planes {
                let xp = x + plane * h * w, d = dy + plane * h * w, ar = ah + plane * h, ac = aw + plane * w
                let drp = dr + plane * h, dcp = dc + plane * w, dxp = out + plane * h * w
                for c in 0..<w { dcp[c] = 0 }
                for r in 0..<h {
                    var s: Float = 0
                    for c in 0..<w {
                        let g = d[r * w + c], v = xp[r * w + c]
                        s += g * v * ac[c]
                        dcp[c] += g * v * ar[r]
                        dxp[r * w + c] = g * ac[c] * ar[r]
                    }
                    drp[r] = s
                }
            }
        }
        let dz = bottleneck.backward(dRow: dr, dColumn: dc, pass)
        ParallelLoop.ranges(pass.batch * channels, minimumChunk: max(1, 16384 / (h * w))) { planes in
            for plane in planes {
                let zp = dz + plane * length, dxp = out + plane * h * w
                let invW = 1 / Float(w), invH = 1 / Float(h)
                for r in 0..<h {
                    let rowShare = zp[r] * invW
                    for c in 0..<w { dxp[r * w + c] += rowShare + zp[h + c] * invH }
                }
            }
        }
        return out
    }
}
