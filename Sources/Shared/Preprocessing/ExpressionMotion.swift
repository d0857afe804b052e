import Dataset
import Foundation
import Tensor

/// Class-specific facial motion for the synthetic composite: each class is a few Gaussian blobs
/// of optical flow anchored to the landmarks (brows and eyes, mouth corners), the way the action
/// units of a frown, a smile and a surprised face move the face. The composed crops around the
/// eyes and mouth corners therefore carry the class signal, as they do in real micro-expressions.
struct ExpressionMotion {
    /// A flow blob: centred `offset` pixels from landmark `anchor`, moving by (u, v) per unit
    /// amplitude, spread `sigma` pixels.
    struct Blob {
        var anchor: [Int]
        var offset: (x: Double, y: Double)
        var flow: (u: Float, v: Float)
        var sigma: Double
    }

    var blobs: [Blob]

    /// negative, positive, surprise (the composite's class order).
    static let merClasses: [ExpressionMotion] = [
        // Negative: brows lowered and drawn together, mouth corners pulled down.
        ExpressionMotion(blobs: [
            Blob(anchor: [0], offset: (1.5, -2.5), flow: (0.7, 0.7), sigma: 2.0),
            Blob(anchor: [1], offset: (-1.5, -2.5), flow: (-0.7, 0.7), sigma: 2.0),
            Blob(anchor: [3], offset: (0, 0.5), flow: (0, 0.5), sigma: 1.8),
            Blob(anchor: [4], offset: (0, 0.5), flow: (0, 0.5), sigma: 1.8),
        ]),
        // Positive: mouth corners up and out, cheeks raised under the eyes.
        ExpressionMotion(blobs: [
            Blob(anchor: [3], offset: (0, 0), flow: (-0.8, -0.7), sigma: 2.0),
            Blob(anchor: [4], offset: (0, 0), flow: (0.8, -0.7), sigma: 2.0),
            Blob(anchor: [0], offset: (0, 3), flow: (0, -0.5), sigma: 2.2),
            Blob(anchor: [1], offset: (0, 3), flow: (0, -0.5), sigma: 2.2),
        ]),
        // Surprise: brows raised, jaw dropped.
        ExpressionMotion(blobs: [
            Blob(anchor: [0], offset: (0, -3), flow: (0, -1.0), sigma: 2.5),
            Blob(anchor: [1], offset: (0, -3), flow: (0, -1.0), sigma: 2.5),
            Blob(anchor: [3, 4], offset: (0, 2), flow: (0, 0.8), sigma: 2.5),
        ]),
    ]

    /// Motions for `count` classes: the MER motions first (negative, positive, surprise), then, for
    /// tasks with more classes, generated ones: class c moves the two eye-region crops and the two
    /// mouth-corner crops in directions turned by 2 pi c / count, alternating which pair leads, so
    /// every class has its own pattern in the composed crops.
    static func classes(count: Int) -> [ExpressionMotion] {
        (0..<count).map { c in
            if c < merClasses.count { return merClasses[c] }
            let angle = 2 * Double.pi * Double(c) / Double(count)
            let lead: [Int] = c % 2 == 0 ? [0, 1] : [3, 4]
            let follow: [Int] = c % 2 == 0 ? [3, 4] : [0, 1]
            func flow(_ a: Double, _ scale: Double) -> (u: Float, v: Float) { (Float(scale * cos(a)), Float(scale * sin(a))) }
            return ExpressionMotion(blobs: [
                Blob(anchor: [lead[0]], offset: (0, -1), flow: flow(angle, 1.0), sigma: 2.2),
                Blob(anchor: [lead[1]], offset: (0, -1), flow: flow(Double.pi - angle, 1.0), sigma: 2.2),
                Blob(anchor: [follow[0]], offset: (0, 1), flow: flow(angle + Double.pi / 2, 0.6), sigma: 1.8),
                Blob(anchor: [follow[1]], offset: (0, 1), flow: flow(Double.pi / 2 - angle, 0.6), sigma: 1.8),
            ])
        }
    }

    /// Adds this motion, scaled by `amplitude` (flow units of the 0...255 image), to the u and v
    /// planes (28x28 each) of a face with the given landmarks.
    func add(to u: inout [Float], _ v: inout [Float], landmarks: FaceLandmarks, amplitude: Float) {
        for blob in blobs {
            let anchors = blob.anchor.map { landmarks.points[$0] }
            let x = anchors.map(\.x).reduce(0, +) / Double(anchors.count) + blob.offset.x
            let y = anchors.map(\.y).reduce(0, +) / Double(anchors.count) + blob.offset.y
            Self.addBlob(to: &u, &v, x: x, y: y, sigma: blob.sigma,
                         u: blob.flow.u * amplitude, v: blob.flow.v * amplitude)
        }
    }

    /// Adds one Gaussian blob of flow (u, v) centred at column x, row y.
    static func addBlob(to uPlane: inout [Float], _ vPlane: inout [Float], x: Double, y: Double,
                        sigma: Double, u: Float, v: Float) {
        let size = InputComposer.imageSize
        let denominator = 2 * sigma * sigma
        for r in 0..<size {
            let dy = Double(r) - y
            for c in 0..<size {
                let dx = Double(c) - x
                let weight = Float(exp(-(dx * dx + dy * dy) / denominator))
                uPlane[r * size + c] += u * weight
                vPlane[r * size + c] += v * weight
            }
        }
    }
}
