import Dataset
import Foundation
import Tensor

/// One synthetic subject's face: where its landmarks sit in the 28x28 frame and how strongly and
/// how noisily it moves. This is the subject-specific variation LOSO has to generalise across.
struct SyntheticFace {
    /// True landmark positions (x = column, y = row, as MTCNN reports them), in reference order.
    var landmarks: FaceLandmarks
    /// Multiplies every expression's amplitude (some people are more expressive).
    var expressiveness: Float
    /// Multiplies the source dataset's pixel noise (recording conditions per subject).
    var noiseScale: Float
    /// A constant flow offset (u, v) in every clip of this subject (residual head drift).
    var drift: (u: Float, v: Float)
    /// Grey level of the skin in the apex image.
    var skinTone: Float

    init(rng: inout DeterministicRNG) {
        let cx = 15.2 + 0.8 * Double(rng.normal())
        let eyeY = 11.0 + 1.0 * Double(rng.normal())
        let eyeHalf = 5.9 + 0.5 * Double(rng.normal())
        let noseY = eyeY + 6.3 + 0.5 * Double(rng.normal())
        let mouthY = eyeY + 11.2 + 0.7 * Double(rng.normal())
        let mouthHalf = 5.1 + 0.5 * Double(rng.normal())
        let tilt = 0.04 * Double(rng.normal())
        let centre = (x: cx, y: (eyeY + mouthY) / 2)
        func place(_ x: Double, _ y: Double) -> FaceLandmarks.Point {
            let dx = x - centre.x, dy = y - centre.y
            return FaceLandmarks.Point(x: centre.x + dx * cos(tilt) - dy * sin(tilt),
                                       y: centre.y + dx * sin(tilt) + dy * cos(tilt))
        }
        landmarks = FaceLandmarks(points: [
            place(cx - eyeHalf, eyeY), place(cx + eyeHalf, eyeY), place(cx, noseY),
            place(cx - mouthHalf, mouthY), place(cx + mouthHalf, mouthY),
        ])
        expressiveness = Float(exp(0.3 * Double(rng.normal())))
        noiseScale = Float(exp(0.2 * Double(rng.normal())))
        drift = (3 * rng.normal(), 3 * rng.normal())
        skinTone = rng.uniform(140, 200)
    }

    /// What a landmark detector reports for one clip: the true points plus detection jitter.
    func detected(rng: inout DeterministicRNG) -> FaceLandmarks {
        FaceLandmarks(points: landmarks.points.map {
            FaceLandmarks.Point(x: $0.x + 0.35 * Double(rng.normal()), y: $0.y + 0.35 * Double(rng.normal()))
        })
    }

    /// A plain grey face drawing at `scale` times the 28x28 frame (the apex frame): skin ellipse,
    /// brows, eyes, nose and mouth at this subject's landmarks. The loader never reads it; it is
    /// there so the folder has the reference layout and a landmark detector could be run on it.
    func apexImage(scale: Int) -> Image8 {
        let size = 28 * scale
        let p = landmarks.points
        let centre = (x: (p[0].x + p[1].x) / 2, y: (p[0].y + p[4].y) / 2)
        var pixels = [UInt8](repeating: 0, count: size * size * 3)
        for r in 0..<size {
            for c in 0..<size {
                let x = (Double(c) + 0.5) / Double(scale), y = (Double(r) + 0.5) / Double(scale)
                var grey = 60.0
                let fx = (x - centre.x) / 11, fy = (y - centre.y) / 14
                if fx * fx + fy * fy <= 1 { grey = Double(skinTone) }
                func near(_ q: FaceLandmarks.Point, _ rx: Double, _ ry: Double, dy: Double = 0) -> Bool {
                    let ex = (x - q.x) / rx, ey = (y - q.y - dy) / ry
                    return ex * ex + ey * ey <= 1
                }
                if near(p[0], 1.6, 0.9) || near(p[1], 1.6, 0.9) { grey = 30 }
                if near(p[0], 2.2, 0.4, dy: -2.5) || near(p[1], 2.2, 0.4, dy: -2.5) { grey = 70 }
                if near(p[2], 1.2, 0.6, dy: 0.8) { grey = Double(skinTone) - 50 }
                let mouthCentre = FaceLandmarks.Point(x: (p[3].x + p[4].x) / 2, y: (p[3].y + p[4].y) / 2)
                if near(mouthCentre, (p[4].x - p[3].x) / 2, 0.6) { grey = 90 }
                let value = UInt8(max(0, min(255, grey.rounded())))
                let base = (r * size + c) * 3
                pixels[base] = value
                pixels[base + 1] = value
                pixels[base + 2] = value
            }
        }
        return Image8(rows: size, cols: size, channels: 3, pixels: pixels)
    }
}
