import Dataset
import Foundation
import Tensor

/// A deterministic synthetic stand-in for the composite benchmark, written in the reference
/// layout (annotation CSV, flow PNGs, apex images, landmarks CSV) so it goes through the same
/// loader as real data. It is the project's embedded default dataset: a new user can run the
/// whole LOSO pipeline without downloading anything.
///
/// Difficulty is set so that HTNet learns it but not perfectly: expressions are weak next to
/// pixel noise, distracting motion and head drift, some clips are ambiguous blends of two
/// classes, and faces differ per subject (geometry, expressiveness, noise), so a leave-one-subject-
/// out score is clearly above chance and clearly below 1, and variants can be told apart.
public enum SyntheticComposite {
    /// One synthetic source dataset: its subjects and samples and how clean its recordings are.
    public struct Source: Codable, Equatable, Sendable {
        public var name: String
        /// Subject ids are this prefix plus a two-digit number.
        public var subjectPrefix: String
        public var subjects: Int
        public var samples: Int
        /// Standard deviation of per-pixel flow noise (0...255 units) for an average subject.
        public var noise: Float
        /// Fraction of clips where the landmark detector finds the face; the rest get the
        /// reference's fallback landmarks (`detected` = 0), as MTCNN failures do in real data.
        public var detectionRate: Double

        public init(name: String, subjectPrefix: String, subjects: Int, samples: Int, noise: Float, detectionRate: Double) {
            self.name = name
            self.subjectPrefix = subjectPrefix
            self.subjects = subjects
            self.samples = samples
            self.noise = noise
            self.detectionRate = detectionRate
        }
    }

    public struct Configuration: Codable, Equatable, Sendable {
        public var sources: [Source]
        /// Relative class frequencies (negative, positive, surprise), as in the real composite.
        public var classShares: [Double]
        /// Peak flow of an average expression, in 0...255 units (comparable to the noise).
        public var signal: Float
        /// Fraction of clips that also carry a weaker copy of another class's motion.
        public var ambiguity: Double
        /// Apex images are drawn at this multiple of 28 pixels.
        public var apexScale: Int
        /// The class list (labels are written as indices into it). Three classes use the MER motions
        /// and `classShares`; any other count adds generated motions (`ExpressionMotion.classes`) and
        /// equal shares unless `classShares` has one entry per class.
        public var classNames: [String] = SyntheticComposite.classNames

        public init(sources: [Source] = Configuration.defaultSources, classShares: [Double] = [3, 1.3, 1],
                    signal: Float = 24, ambiguity: Double = 0.2, apexScale: Int = 4) {
            self.sources = sources
            self.classShares = classShares
            self.signal = signal
            self.ambiguity = ambiguity
            self.apexScale = apexScale
        }

        /// Three sources of 10 subjects and 100 clips each, from clean to noisy.
        public static let defaultSources = [
            Source(name: "synth_a", subjectPrefix: "a", subjects: 10, samples: 100, noise: 6, detectionRate: 0.9),
            Source(name: "synth_b", subjectPrefix: "b", subjects: 10, samples: 100, noise: 14, detectionRate: 0.75),
            Source(name: "synth_c", subjectPrefix: "c", subjects: 10, samples: 100, noise: 26, detectionRate: 0.6),
        ]
    }

    /// The class names of the synthetic composite (its motions are those of 3-class MER).
    public static let classNames = LoadOptions.threeClassMER

    /// Writes the composite into `directory`, which must not exist yet or be empty (so no stale
    /// file of an earlier run can mix in). The same seed and configuration give the same bytes.
    ///
    /// `label` maps a clip (its sample id and the class whose motion its flow image shows) to the
    /// label its annotation row gets; the default keeps the motion's class. The genuine/posed
    /// smiles (`SyntheticSmiles`) use it to make the label depend on a second factor the images
    /// do not show.
    public static func generate(into directory: String, seed: UInt64 = 1,
                                configuration: Configuration = Configuration(),
                                label labelOf: (_ id: String, _ motion: Int) -> Int = { $1 }) throws {
        try OpenCVLibrary.require(for: "writing the synthetic composite's images", file: directory)
        let fm = FileManager.default
        if let existing = try? fm.contentsOfDirectory(atPath: directory), !existing.isEmpty {
            throw DatasetError(file: directory, "output folder is not empty; choose a new folder or remove it first")
        }
        let flowDirectory = directory + "/" + CompositeLayout.flowDirectoryNames[0]
        let apexDirectory = directory + "/" + CompositeLayout.apexDirectoryNames[0]
        for folder in [flowDirectory, apexDirectory] {
            do {
                try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                throw DatasetError(file: folder, "cannot create the folder: \(error.localizedDescription)")
            }
        }

        var annotations = CompositeLayout.annotationColumns.joined(separator: ",") + "\n"
        var landmarkRows = (["flow_image", "detected"] + FaceLandmarks.columnNames).joined(separator: ",") + "\n"
        let classCount = configuration.classNames.count
        guard classCount >= 2 else { throw DatasetError(file: directory, "a synthetic composite needs at least 2 classes") }
        let motions = ExpressionMotion.classes(count: classCount)
        let shares = configuration.classShares.count == classCount
            ? configuration.classShares : [Double](repeating: 1, count: classCount)

        for (d, source) in configuration.sources.enumerated() {
            let counts = subjectSampleCounts(source, rng: DeterministicRNG(keys: [seed, stableHash("subject-sizes"), UInt64(d)]))
            var labels = classLabels(total: source.samples, shares: shares)
            var labelRNG = DeterministicRNG(keys: [seed, stableHash("labels"), UInt64(d)])
            labels.shuffle(using: &labelRNG)
            var next = 0
            for (s, count) in counts.enumerated() {
                var faceRNG = DeterministicRNG(keys: [seed, stableHash("face"), UInt64(d), UInt64(s)])
                let face = SyntheticFace(rng: &faceRNG)
                let subject = source.subjectPrefix + twoDigits(s + 1)
                let apex = face.apexImage(scale: configuration.apexScale)
                for k in 0..<count {
                    let label = labels[next]
                    next += 1
                    var rng = DeterministicRNG(keys: [seed, stableHash("clip"), UInt64(d), UInt64(s), UInt64(k)])
                    let clip = "clip" + twoDigits(k + 1)
                    let id = CompositeLayout.flowImageName(subject: subject, filename: clip)
                    let flow = flowImage(face: face, label: label, source: source, motions: motions,
                                         configuration: configuration, rng: &rng)
                    try flow.write(path: flowDirectory + "/" + id)
                    let apexName = "\(subject)_\(clip).png"
                    try apex.write(path: apexDirectory + "/" + apexName)
                    annotations += "\(source.name),\(subject),\(clip),\(labelOf(id, label)),,\(apexName),\n"
                    let found = rng.nextUnitDouble() < source.detectionRate
                    let reported = found ? face.detected(rng: &rng) : .fallback
                    let values = reported.points.flatMap { [$0.x, $0.y] }.map { String(format: "%.6f", $0) }
                    landmarkRows += ([id, found ? "1" : "0"] + values).joined(separator: ",") + "\n"
                }
            }
        }
        try write(annotations, to: directory + "/" + CompositeLayout.annotationFileName)
        try write(landmarkRows, to: directory + "/" + CompositeLayout.landmarksFileName)
        try write(readme(seed: seed, configuration: configuration), to: directory + "/README.md")
    }

    /// One clip's 28x28 flow image, laid out as the reference's PNGs read back through imread:
    /// channel 0 optical strain, 1 vertical flow, 2 horizontal flow, each min-max normalised to
    /// 0...255 per image (every real composite image spans exactly 0...255 in every channel).
    static func flowImage(face: SyntheticFace, label: Int, source: Source, motions: [ExpressionMotion],
                          configuration: Configuration, rng: inout DeterministicRNG) -> Image8 {
        let size = InputComposer.imageSize, n = size * size
        var u = [Float](repeating: 0, count: n), v = [Float](repeating: 0, count: n)
        let amplitude = configuration.signal * face.expressiveness * rng.uniform(0.4, 1.3)
        motions[label].add(to: &u, &v, landmarks: face.landmarks, amplitude: amplitude)
        if rng.nextUnitDouble() < configuration.ambiguity {
            let other = (label + 1 + rng.below(motions.count - 1)) % motions.count
            motions[other].add(to: &u, &v, landmarks: face.landmarks, amplitude: amplitude * rng.uniform(0.3, 0.8))
        }
        for _ in 0..<rng.below(3) {
            let distractor = 0.6 * configuration.signal
            ExpressionMotion.addBlob(to: &u, &v, x: Double(rng.uniform(4, 24)), y: Double(rng.uniform(4, 24)),
                                     sigma: Double(rng.uniform(1.5, 3)), u: distractor * rng.normal(), v: distractor * rng.normal())
        }
        let head = (u: 4 * rng.normal(), v: 4 * rng.normal())
        let noise = source.noise * face.noiseScale
        for i in 0..<n {
            u[i] += face.drift.u + head.u + noise * rng.normal()
            v[i] += face.drift.v + head.v + noise * rng.normal()
        }
        let strain = opticalStrain(u: u, v: v, size: size)
        var pixels = [UInt8](repeating: 0, count: n * 3)
        for (channel, plane) in [strain, v, u].enumerated() {
            let low = plane.min()!, range = max(plane.max()! - low, 1e-6)
            for i in 0..<n { pixels[3 * i + channel] = UInt8((255 * (plane[i] - low) / range).rounded()) }
        }
        return Image8(rows: size, cols: size, channels: 3, pixels: pixels)
    }

    /// Optical strain magnitude sqrt(ux^2 + vy^2 + (uy + vx)^2 / 2) from central differences,
    /// as flow-based MER pipelines compute it: high where the face deforms, not where it just moves.
    static func opticalStrain(u: [Float], v: [Float], size: Int) -> [Float] {
        func derivative(_ plane: [Float], _ r: Int, _ c: Int, alongRows: Bool) -> Float {
            let (r0, c0, r1, c1) = alongRows
                ? (max(r - 1, 0), c, min(r + 1, size - 1), c) : (r, max(c - 1, 0), r, min(c + 1, size - 1))
            let span = Float(alongRows ? r1 - r0 : c1 - c0)
            return (plane[r1 * size + c1] - plane[r0 * size + c0]) / span
        }
        var strain = [Float](repeating: 0, count: size * size)
        for r in 0..<size {
            for c in 0..<size {
                let ux = derivative(u, r, c, alongRows: false), uy = derivative(u, r, c, alongRows: true)
                let vx = derivative(v, r, c, alongRows: false), vy = derivative(v, r, c, alongRows: true)
                let shear = uy + vx
                strain[r * size + c] = (ux * ux + vy * vy + shear * shear / 2).squareRoot()
            }
        }
        return strain
    }

    /// Clips per subject: at least 4 each, the rest spread unevenly (real subjects differ a lot).
    static func subjectSampleCounts(_ source: Source, rng: DeterministicRNG) -> [Int] {
        var rng = rng
        let minimum = min(4, source.samples / max(source.subjects, 1))
        var counts = [Int](repeating: minimum, count: source.subjects)
        let weights = (0..<source.subjects).map { _ in Double(rng.uniform(0.3, 1.7)) }
        let total = weights.reduce(0, +)
        for _ in 0..<(source.samples - minimum * source.subjects) {
            var pick = rng.nextUnitDouble() * total
            var s = 0
            while s < source.subjects - 1 && pick >= weights[s] {
                pick -= weights[s]
                s += 1
            }
            counts[s] += 1
        }
        return counts
    }

    /// Exactly `total` labels in proportion to `shares` (largest remainder), in class order.
    static func classLabels(total: Int, shares: [Double]) -> [Int] {
        let sum = shares.reduce(0, +)
        let exact = shares.map { Double(total) * $0 / sum }
        var counts = exact.map { Int($0) }
        let byRemainder = exact.indices.sorted { exact[$0] - Double(counts[$0]) > exact[$1] - Double(counts[$1]) }
        for c in byRemainder.prefix(total - counts.reduce(0, +)) { counts[c] += 1 }
        return counts.enumerated().flatMap { Array(repeating: $0.offset, count: $0.element) }
    }

    private static func twoDigits(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }

    private static func write(_ text: String, to path: String) throws {
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        } catch {
            throw DatasetError(file: path, "cannot write: \(error.localizedDescription)")
        }
    }

    private static func readme(seed: UInt64, configuration: Configuration) -> String {
        var text = """
        # Synthetic composite (seed \(seed))

        Generated by `coordinator synth`: a deterministic stand-in for the 3-class micro-expression
        composite, in the reference layout (annotation CSV, flow/, apex/, landmarks CSV). Classes
        \(configuration.classNames.joined(separator: ", ")) in proportions \(configuration.classShares.map { String($0) }.joined(separator: " : ")); class motion
        in the brow/eye and mouth regions with peak flow \(configuration.signal) (0..255 units), \(Int(configuration.ambiguity * 100))% ambiguous clips.

        | source | subjects | clips | pixel noise | landmark detection rate |
        | --- | --- | --- | --- | --- |

        """
        for s in configuration.sources {
            text += "| \(s.name) | \(s.subjects) | \(s.samples) | \(s.noise) | \(s.detectionRate) |\n"
        }
        return text
    }
}
