import Foundation
import Tensor

/// Applies `AugmentationConfig`'s per-sample transforms to one composed input ([3, 28, 28] CHW,
/// four 14x14 region tiles), in a fixed order: affine jitter per tile, flip, brightness/contrast,
/// cutout. Every draw comes from the given generator, so the caller decides what the result depends
/// on (FoldTrainer: the task's seedKeys, the epoch and the sample's position in the fold).
public struct InputAugmentation {
    public let config: AugmentationConfig
    public static let side = 28, tile = 14, channels = 3

    public init(config: AugmentationConfig) { self.config = config }

    /// What was applied to one sample (for tests and counts).
    public struct Applied: Equatable {
        public var affine = false, flipped = false, brightnessContrast = false, cutout = false
    }

    @discardableResult
    public func apply(_ x: UnsafeMutablePointer<Float>, rng: inout DeterministicRNG) -> Applied {
        var applied = Applied()
        // Every transform draws its decision and parameters whether or not it fires, so turning one
        // transform on does not change the others' draws.
        if let a = config.affine {
            let fire = rng.nextUnitDouble() < a.probability
            let angle = Double(rng.uniform(-1, 1)) * a.rotation * Double.pi / 180
            let scale = 1 + Double(rng.uniform(-1, 1)) * a.scale
            let shift = (x: Double(rng.uniform(-1, 1)) * a.translation, y: Double(rng.uniform(-1, 1)) * a.translation)
            if fire { affine(x, angle: angle, scale: scale, shift: shift); applied.affine = true }
        }
        if config.flip {
            if rng.nextUnitDouble() < 0.5 { Self.mirror(x); applied.flipped = true }
        }
        if let b = config.brightnessContrast {
            let fire = rng.nextUnitDouble() < b.probability
            let c = Float(1 + Double(rng.uniform(-1, 1)) * b.contrast)
            let shift = Float(Double(rng.uniform(-1, 1)) * b.brightness * 255)
            if fire {
                let n = Self.channels * Self.side * Self.side
                var mean: Float = 0
                for i in 0..<n { mean += x[i] }
                mean /= Float(n)
                for i in 0..<n { x[i] = min(255, max(0, (x[i] - mean) * c + mean + shift)) }
                applied.brightnessContrast = true
            }
        }
        if let cut = config.cutout {
            let fire = rng.nextUnitDouble() < cut.probability
            let size = min(cut.size, Self.side)
            let r0 = rng.below(Self.side - size + 1), c0 = rng.below(Self.side - size + 1)
            if fire {
                let n = Self.channels * Self.side * Self.side
                var mean: Float = 0
                for i in 0..<n { mean += x[i] }
                mean /= Float(n)
                for ch in 0..<Self.channels { for r in r0..<(r0 + size) { for c in c0..<(c0 + size) {
                    x[(ch * Self.side + r) * Self.side + c] = mean
                } } }
                applied.cutout = true
            }
        }
        return applied
    }

    /// Rotates by `angle`, scales by `scale` and shifts each 14x14 tile about its own centre
    /// (inverse mapping with bilinear sampling; coordinates outside the tile take the nearest edge).
    func affine(_ x: UnsafeMutablePointer<Float>, angle: Double, scale: Double, shift: (x: Double, y: Double)) {
        let t = Self.tile, side = Self.side
        var source = [Float](UnsafeBufferPointer(start: x, count: Self.channels * side * side))
        let cosA = cos(angle) / scale, sinA = sin(angle) / scale
        let centre = Double(t - 1) / 2
        source.withUnsafeMutableBufferPointer { src in
            for tileRow in 0..<2 { for tileCol in 0..<2 {
                let top = tileRow * t, left = tileCol * t
                for r in 0..<t { for c in 0..<t {
                    // Output pixel (r, c) reads the source point that the forward transform moves there.
                    let dy = Double(r) - centre - shift.y, dx = Double(c) - centre - shift.x
                    let sx = cosA * dx + sinA * dy + centre, sy = -sinA * dx + cosA * dy + centre
                    let cx = min(max(sx, 0), Double(t - 1)), cy = min(max(sy, 0), Double(t - 1))
                    let x0 = Int(cx), y0 = Int(cy), x1 = min(x0 + 1, t - 1), y1 = min(y0 + 1, t - 1)
                    let fx = Float(cx - Double(x0)), fy = Float(cy - Double(y0))
                    for ch in 0..<Self.channels {
                        func at(_ yy: Int, _ xx: Int) -> Float { src[(ch * side + top + yy) * side + left + xx] }
                        let v = (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x1)) + fy * ((1 - fx) * at(y1, x0) + fx * at(y1, x1))
                        x[(ch * side + top + r) * side + left + c] = v
                    }
                } }
            } }
        }
    }

    /// Mirrors the whole composed input left-right: the left and right region tiles trade places
    /// and each is mirrored, which is the composition of a mirrored face.
    public static func mirror(_ x: UnsafeMutablePointer<Float>) {
        for ch in 0..<channels { for r in 0..<side {
            let row = x + (ch * side + r) * side
            for c in 0..<(side / 2) { let tmp = row[c]; row[c] = row[side - 1 - c]; row[side - 1 - c] = tmp }
        } }
    }
}
