import Dataset
import OpenCVRuntime

/// A dense displacement field: where each pixel of the first frame moved to in the second,
/// u horizontal (columns, positive right) and v vertical (rows, positive down), in pixels.
public struct OpticalFlowField: Equatable, Sendable {
    public var rows: Int
    public var cols: Int
    public var u: [Float]
    public var v: [Float]

    public init(rows: Int, cols: Int, u: [Float], v: [Float]) {
        precondition(u.count == rows * cols && v.count == rows * cols, "flow planes do not match \(rows)x\(cols)")
        self.rows = rows
        self.cols = cols
        self.u = u
        self.v = v
    }

    /// Flow from `first` to `second` (same size) with the chosen OpenCV algorithm.
    public static func compute(from first: GrayImage, to second: GrayImage,
                               parameters: FlowParameters) throws -> OpticalFlowField {
        precondition(first.rows == second.rows && first.cols == second.cols, "flow needs frames of one size")
        var interleaved = [Float](repeating: 0, count: first.rows * first.cols * 2)
        let p = parameters
        let status: Int32 = first.withCVBImage { a in
            second.withCVBImage { b in
                interleaved.withUnsafeMutableBufferPointer { out in
                    switch p.method {
                    case .farneback:
                        return cvb_flow_farneback(&a, &b, p.pyrScale, Int32(p.levels), Int32(p.winsize),
                                                  Int32(p.iterations), Int32(p.polyN), p.polySigma,
                                                  p.gaussianWindow ? 1 : 0, out.baseAddress)
                    case .tvl1:
                        return cvb_flow_tvl1(&a, &b, p.tau, p.lambda, p.theta, Int32(p.scales), Int32(p.warps),
                                             out.baseAddress)
                    }
                }
            }
        }
        guard status == 0 else {
            throw DatasetError(file: "OpenCV", "\(p.method.rawValue) optical flow failed (status \(status))")
        }
        let n = first.rows * first.cols
        return OpticalFlowField(rows: first.rows, cols: first.cols,
                                u: (0..<n).map { interleaved[2 * $0] }, v: (0..<n).map { interleaved[2 * $0 + 1] })
    }

    /// Optical strain magnitude sqrt(ux^2 + vy^2 + (uy + vx)^2 / 2), with central differences
    /// (one-sided at the border): large where the face deforms, zero where it only translates.
    public var strain: [Float] {
        var out = [Float](repeating: 0, count: rows * cols)
        func d(_ plane: [Float], _ r: Int, _ c: Int, alongRows: Bool) -> Float {
            if alongRows {
                let r0 = max(r - 1, 0), r1 = min(r + 1, rows - 1)
                return r1 == r0 ? 0 : (plane[r1 * cols + c] - plane[r0 * cols + c]) / Float(r1 - r0)
            }
            let c0 = max(c - 1, 0), c1 = min(c + 1, cols - 1)
            return c1 == c0 ? 0 : (plane[r * cols + c1] - plane[r * cols + c0]) / Float(c1 - c0)
        }
        for r in 0..<rows {
            for c in 0..<cols {
                let ux = d(u, r, c, alongRows: false), uy = d(u, r, c, alongRows: true)
                let vx = d(v, r, c, alongRows: false), vy = d(v, r, c, alongRows: true)
                let shear = uy + vx
                out[r * cols + c] = (ux * ux + vy * vy + 0.5 * shear * shear).squareRoot()
            }
        }
        return out
    }

    /// Per-pixel endpoint error against another field of the same size.
    public func endpointErrors(against truth: OpticalFlowField) -> [Float] {
        precondition(rows == truth.rows && cols == truth.cols)
        return (0..<(rows * cols)).map {
            let du = u[$0] - truth.u[$0], dv = v[$0] - truth.v[$0]
            return (du * du + dv * dv).squareRoot()
        }
    }

    /// Per-pixel displacement length.
    public var magnitudes: [Float] {
        (0..<(rows * cols)).map { (u[$0] * u[$0] + v[$0] * v[$0]).squareRoot() }
    }
}
