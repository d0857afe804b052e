import Dataset
import Foundation

/// A smooth, known motion for synthetic clips: a sum of Gaussian blobs, each moving the pixels
/// near its centre by a displacement that fades with distance. `scale` times the field is the
/// motion from the onset to a frame; the apex has scale 1. Because the field is known, flow
/// estimates and strain can be checked against it.
public struct DisplacementField: Codable, Equatable, Sendable {
    public struct Blob: Codable, Equatable, Sendable {
        /// Centre (column, row) in pixels, spread in pixels, displacement (u, v) in pixels.
        public var x: Double, y: Double, sigma: Double, u: Double, v: Double

        public init(x: Double, y: Double, sigma: Double, u: Double, v: Double) {
            self.x = x
            self.y = y
            self.sigma = sigma
            self.u = u
            self.v = v
        }
    }

    public var blobs: [Blob]

    public init(blobs: [Blob]) { self.blobs = blobs }

    /// The displacement at (column x, row y).
    public func displacement(x: Double, y: Double) -> (u: Double, v: Double) {
        var u = 0.0, v = 0.0
        for b in blobs {
            let dx = x - b.x, dy = y - b.y
            let w = exp(-(dx * dx + dy * dy) / (2 * b.sigma * b.sigma))
            u += w * b.u
            v += w * b.v
        }
        return (u, v)
    }

    /// The image a frame shows when the onset's content has moved by `scale` times the field:
    /// output(x) = onset(x - scale d(x)), bilinear, edges clamped.
    public func warp(_ image: GrayImage, scale: Double) -> GrayImage {
        var out = [UInt8](repeating: 0, count: image.rows * image.cols)
        for r in 0..<image.rows {
            for c in 0..<image.cols {
                let d = displacement(x: Double(c), y: Double(r))
                out[r * image.cols + c] = Self.sample(image, x: Double(c) - scale * d.u, y: Double(r) - scale * d.v)
            }
        }
        return GrayImage(rows: image.rows, cols: image.cols, pixels: out)
    }

    /// The true flow from the onset to a frame warped with `scale`: where onset pixel p went, i.e.
    /// the x with x - scale d(x) = p, found by fixed-point iteration (the field is smooth and small).
    public func trueFlow(rows: Int, cols: Int, scale: Double) -> OpticalFlowField {
        var u = [Float](repeating: 0, count: rows * cols), v = u
        for r in 0..<rows {
            for c in 0..<cols {
                var x = Double(c), y = Double(r)
                for _ in 0..<8 {
                    let d = displacement(x: x, y: y)
                    x = Double(c) + scale * d.u
                    y = Double(r) + scale * d.v
                }
                u[r * cols + c] = Float(x - Double(c))
                v[r * cols + c] = Float(y - Double(r))
            }
        }
        return OpticalFlowField(rows: rows, cols: cols, u: u, v: v)
    }

    static func sample(_ image: GrayImage, x: Double, y: Double) -> UInt8 {
        let xc = min(max(x, 0), Double(image.cols - 1)), yc = min(max(y, 0), Double(image.rows - 1))
        let x0 = Int(xc), y0 = Int(yc)
        let x1 = min(x0 + 1, image.cols - 1), y1 = min(y0 + 1, image.rows - 1)
        let fx = xc - Double(x0), fy = yc - Double(y0)
        func p(_ r: Int, _ c: Int) -> Double { Double(image.pixels[r * image.cols + c]) }
        let top = p(y0, x0) * (1 - fx) + p(y0, x1) * fx
        let bottom = p(y1, x0) * (1 - fx) + p(y1, x1) * fx
        return UInt8(min(255, max(0, (top * (1 - fy) + bottom * fy).rounded())))
    }
}
