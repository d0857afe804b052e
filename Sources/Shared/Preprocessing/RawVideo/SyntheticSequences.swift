import Dataset
import Foundation
import Tensor

/// Synthetic raw micro-expression clips with known motion, in the layout `coordinator preprocess`
/// reads: `frames/<sub>/<sample>/img<N>.png`, an annotation sheet (`annotations.csv`: dataset,
/// subject, sample, onset, apex, offset, emotion) and the truth (`truth.csv`: the true apex of
/// every clip, also for those whose sheet row leaves the apex out to exercise spotting).
///
/// Each clip is a face warped by a smooth displacement field (the class's expression motion: brows,
/// eyes, mouth corners) whose strength rises linearly from 0 at the onset to 1 at the apex and falls
/// back towards 0 at the offset. The product's default face is the project's own drawing
/// (`SyntheticFace`, with a fine texture so that flow has something to track); tests may pass real
/// face crops instead, which the product must not ship.
public enum SyntheticSequences {
    public struct Configuration: Sendable {
        public var subjects = 4
        public var samplesPerSubject = 6
        /// Frames per clip (onset to offset).
        public var frames = 12
        /// Face image side in pixels.
        public var side = 224
        /// Peak displacement at the apex, in pixels (before the blobs overlap).
        public var amplitude = 3.0
        /// Per-frame pixel noise (standard deviation, grey levels).
        public var noise = 1.0
        /// Every `hideApexEvery`-th clip has no apex in the sheet (0: none hidden).
        public var hideApexEvery = 2
        /// Faces to warp instead of the drawn one (one per subject, cycled).
        public var faces: [GrayImage] = []

        public init() {}
    }

    public struct Clip: Sendable {
        public var subject: String
        public var sample: String
        public var onset: Int
        public var apex: Int
        public var offset: Int
        public var label: Int
        public var field: DisplacementField
        public var face: GrayImage

        /// Strength of the motion at frame `n` (0 at the onset, 1 at the apex).
        public func scale(frame n: Int) -> Double {
            if n <= apex { return Double(n - onset) / Double(apex - onset) }
            return max(0, 1 - 0.8 * Double(n - apex) / Double(max(1, offset - apex)))
        }
    }

    public static let emotionWords = ["disgust", "happiness", "surprise"]

    /// The clips a configuration describes (no files written): deterministic for a seed.
    public static func clips(seed: UInt64, configuration c: Configuration) -> [Clip] {
        var clips: [Clip] = []
        for s in 0..<c.subjects {
            var faceRNG = DeterministicRNG(keys: [seed, stableHash("synthetic-sequence-face"), UInt64(s)])
            let drawn = SyntheticFace(rng: &faceRNG)
            let face = c.faces.isEmpty ? texturedFace(drawn, side: c.side, rng: &faceRNG)
                : c.faces[s % c.faces.count].resized(rows: c.side, cols: c.side)
            let landmarks = c.faces.isEmpty ? drawn.landmarks : .fallback
            for k in 0..<c.samplesPerSubject {
                var rng = DeterministicRNG(keys: [seed, stableHash("synthetic-sequence-clip"), UInt64(s), UInt64(k)])
                let label = (s + k) % 3
                let onset = 1 + rng.below(20)
                let apex = onset + 3 + rng.below(max(1, c.frames - 6))
                let offset = onset + c.frames - 1
                let amplitude = c.amplitude * Double(rng.uniform(0.8, 1.2))
                clips.append(Clip(subject: "s" + (s < 9 ? "0" : "") + String(s + 1), sample: "clip" + String(k + 1),
                                  onset: onset, apex: min(apex, offset - 1), offset: offset, label: label,
                                  field: expressionField(label: label, landmarks: landmarks, side: c.side, amplitude: amplitude),
                                  face: face))
            }
        }
        return clips
    }

    /// The class's expression motion (`ExpressionMotion`), anchored at the face's landmarks and
    /// scaled from the 28x28 frame to `side` pixels, with peak displacement `amplitude` pixels.
    public static func expressionField(label: Int, landmarks: FaceLandmarks, side: Int, amplitude: Double) -> DisplacementField {
        let k = Double(side) / Double(InputComposer.imageSize)
        let motion = ExpressionMotion.merClasses[label]
        return DisplacementField(blobs: motion.blobs.map { blob in
            let anchors = blob.anchor.map { landmarks.points[$0] }
            let x = anchors.map(\.x).reduce(0, +) / Double(anchors.count) + blob.offset.x
            let y = anchors.map(\.y).reduce(0, +) / Double(anchors.count) + blob.offset.y
            return DisplacementField.Blob(x: (x + 0.5) * k, y: (y + 0.5) * k, sigma: blob.sigma * k,
                                          u: Double(blob.flow.u) * amplitude, v: Double(blob.flow.v) * amplitude)
        })
    }

    /// The drawn face with a fine random texture (skin pores, in effect), so flow can be estimated
    /// inside the otherwise flat regions of the drawing.
    static func texturedFace(_ face: SyntheticFace, side: Int, rng: inout DeterministicRNG) -> GrayImage {
        let scale = max(1, side / InputComposer.imageSize)
        let drawing = GrayImage(face.apexImage(scale: scale)).resized(rows: side, cols: side)
        let waves = (0..<6).map { _ in
            (fx: Double(rng.uniform(0.15, 0.6)), fy: Double(rng.uniform(0.15, 0.6)), phase: Double(rng.uniform(0, 6.3)))
        }
        var pixels = drawing.pixels
        for r in 0..<side {
            for c in 0..<side {
                let t = waves.reduce(0.0) { $0 + sin($1.fx * Double(c) + $1.fy * Double(r) + $1.phase) }
                pixels[r * side + c] = UInt8(min(255, max(0, Double(pixels[r * side + c]) + 6 * t)))
            }
        }
        return GrayImage(rows: side, cols: side, pixels: pixels)
    }

    /// Writes the clips' frames, sheet and truth into `directory` (must not exist or be empty).
    @discardableResult
    public static func generate(into directory: String, seed: UInt64 = 1,
                                configuration c: Configuration = Configuration()) throws -> [Clip] {
        try OpenCVLibrary.require(for: "writing synthetic frames", file: directory)
        let fm = FileManager.default
        if let existing = try? fm.contentsOfDirectory(atPath: directory), !existing.isEmpty {
            throw DatasetError(file: directory, "output folder is not empty; choose a new folder or remove it first")
        }
        let all = clips(seed: seed, configuration: c)
        var sheet = "dataset,subject,sample,onset,apex,offset,emotion\n"
        var truth = "subject,sample,apex\n"
        for (i, clip) in all.enumerated() {
            let folder = directory + "/frames/" + clip.subject + "/" + clip.sample
            do {
                try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw DatasetError(file: folder, "cannot create the folder: \(error.localizedDescription)")
            }
            var rng = DeterministicRNG(keys: [seed, stableHash("synthetic-sequence-noise"), UInt64(i)])
            for n in clip.onset...clip.offset {
                var frame = clip.field.warp(clip.face, scale: clip.scale(frame: n))
                if c.noise > 0 {
                    frame.pixels = frame.pixels.map { UInt8(min(255, max(0, (Double($0) + c.noise * Double(rng.normal())).rounded()))) }
                }
                try frame.colour.write(path: folder + "/img\(n).png")
            }
            let hidden = c.hideApexEvery > 0 && i % c.hideApexEvery == 1
            sheet += "synth,\(clip.subject),\(clip.sample),\(clip.onset),\(hidden ? "" : String(clip.apex)),\(clip.offset),\(emotionWords[clip.label])\n"
            truth += "\(clip.subject),\(clip.sample),\(clip.apex)\n"
        }
        try writeTextAtomically(sheet, to: directory + "/annotations.csv")
        try writeTextAtomically(truth, to: directory + "/truth.csv")
        return all
    }
}
