import Dataset
import Foundation
import Tensor

/// A synthetic face-expression set for demos and tests (no download): `subjects` people with their
/// own face geometry, skin tone and expressiveness, `samplesPerSubject` images each at `side` x `side`
/// (BGR 0..255), labels cycling through `classNames` (default FER2013's seven). An expression is a
/// drawn face whose mouth curve and opening, brow height and slant and eye opening follow the class
/// (happiness: mouth up; sadness: mouth down, brows slanted up inside; surprise: mouth open, brows
/// up, eyes wide; fear: mouth slightly open, brows up and in; anger: brows down and in; disgust:
/// mouth down and narrow, eyes narrowed; neutral: rest), scaled by the person's expressiveness and
/// a per-image intensity, with pixel noise. Subject ids are `S01`...: subject-independent k-fold.
/// Deterministic in `seed`; the same seed gives the same bytes at any thread count.
public enum SyntheticFaceExpressions {
    /// (mouth curve, mouth open, brow raise, brow slant, eye open) per FER2013 class, in units of the
    /// face; classes past the seventh reuse the table cyclically with a sign flip so they differ.
    static let expressions: [[Float]] = [
        [-0.2, 0.0, -0.6, -0.8, 0.1],   // anger
        [-0.5, 0.1, -0.3, -0.2, -0.5],  // disgust
        [-0.2, 0.5, 0.6, 0.5, 0.6],     // fear
        [0.9, 0.2, 0.1, 0.0, -0.2],     // happiness
        [-0.7, 0.0, 0.2, 0.7, -0.3],    // sadness
        [0.0, 0.9, 0.9, 0.0, 0.8],      // surprise
        [0.0, 0.0, 0.0, 0.0, 0.0],      // neutral
    ]

    public static func generate(seed: UInt64, subjects: Int = 12, samplesPerSubject: Int = 14, side: Int = 112,
                                classNames: [String] = FaceExpressionClasses.fer2013) -> ComposedDataset {
        var builder = FaceSetBuilder(side: side, classNames: classNames, source: "synthetic-fer")
        for s in 0..<subjects {
            var person = DeterministicRNG(keys: [seed, 1, UInt64(s)])
            let cx = 0.5 + 0.03 * person.normal(), cy = 0.52 + 0.03 * person.normal()
            let size = 0.36 + 0.03 * person.normal(), tone = person.uniform(110, 210)
            let expressive = Float(exp(0.25 * Double(person.normal())))
            let eyeGap = 0.34 + 0.03 * person.normal(), mouthWidth = 0.42 + 0.04 * person.normal()
            let subject = String(format: "S%02d", s + 1)
            for n in 0..<samplesPerSubject {
                let label = (n + s) % classNames.count
                var rng = DeterministicRNG(keys: [seed, 2, UInt64(s), UInt64(n)])
                let base = expressions[label % expressions.count].map { label >= expressions.count ? -$0 : $0 }
                let intensity = expressive * (0.6 + 0.5 * rng.nextUnitFloat())
                let e = base.map { $0 * intensity + 0.08 * rng.normal() }
                let pixels = render(side: side, centre: (cx + 0.01 * rng.normal(), cy + 0.01 * rng.normal()), size: size,
                                    tone: tone, eyeGap: eyeGap, mouthWidth: mouthWidth, expression: e, rng: &rng)
                builder.append(Image8(rows: side, cols: side, channels: 3, pixels: pixels),
                               sample: Sample(id: "\(subject)_\(String(format: "%03d", n))", subject: subject, dataset: "synthetic-fer", label: label))
            }
        }
        return builder.build(file: "synthetic-fer(seed \(seed), \(subjects)x\(samplesPerSubject), \(side)px)", hash: "\(seed)")
    }

    /// Draws one face: an ellipse of skin on a grey background, dark eyes, brows and mouth as thick
    /// curves, in face units (0..1 of the image) around `centre`.
    static func render(side: Int, centre: (Float, Float), size: Float, tone: Float, eyeGap: Float, mouthWidth: Float,
                       expression e: [Float], rng: inout DeterministicRNG) -> [UInt8] {
        let (curve, open, browRaise, browSlant, eyeOpen) = (e[0], e[1], e[2], e[3], e[4])
        var out = [UInt8](repeating: 0, count: side * side * 3)
        let n = Float(side)
        for y in 0..<side {
            for x in 0..<side {
                // Face coordinates: u right, v down, 1 = face radius.
                let u = ((Float(x) + 0.5) / n - centre.0) / size, v = ((Float(y) + 0.5) / n - centre.1) / size
                var value: Float = 60
                if u * u / 0.72 + v * v < 1 {
                    value = tone
                    for sign: Float in [-1, 1] {
                        let ex = u - sign * eyeGap, ey = v + 0.25
                        let eyeHeight = max(0.03, 0.09 * (1 + 0.6 * eyeOpen))
                        if ex * ex / 0.025 + ey * ey / (eyeHeight * eyeHeight) < 1 { value = 35 }
                        // Brow: a short bar above the eye, tilted by the slant (inner end up for +slant).
                        let inner = -sign * ex   // > 0 toward the nose
                        let browY = -0.45 - 0.2 * browRaise - 0.25 * browSlant * inner / 0.15
                        if abs(ex) < 0.18 && abs(v - browY) < 0.055 { value = 45 }
                    }
                    // Mouth: a parabola through its corners, bending up (curve > 0) at the corners.
                    let half = mouthWidth / 2 * (1 - 0.15 * max(0, -curve))
                    if abs(u) < half {
                        let t = u / half
                        let centreLine: Float = 0.42 + 0.25 * curve * (1 - t * t) - 0.125 * curve
                        let thickness = 0.05 + 0.2 * max(0, open) * (1 - t * t)
                        if abs(v - centreLine) < thickness { value = open > 0.3 ? 25 : 70 }
                    }
                }
                let noisy = value + 6 * rng.normal()
                let g = UInt8(max(0, min(255, noisy.rounded())))
                let i = (y * side + x) * 3
                out[i] = UInt8(max(0, min(255, Float(g) * 0.85))); out[i + 1] = UInt8(max(0, min(255, Float(g) * 0.95))); out[i + 2] = g
            }
        }
        return out
    }
}
