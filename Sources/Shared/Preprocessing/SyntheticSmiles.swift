import Dataset
import Foundation
import Tensor

/// A genuine / posed smile stand-in for fusion demos and tests (`dataset: {source: synthetic-smiles}`):
/// a two-class synthetic composite (flow images whose class motion is weak next to the noise, so
/// the images alone carry part of the signal) plus `features.csv`, D-Marker-style lip-corner and
/// eye dynamics per clip drawn from class-conditional distributions that are independent of the
/// images given the class (so the features carry another part, and both together more).
///
/// Per clip: onset, apex and offset durations (s), lip-corner amplitude and left/right amplitude
/// ratio. Genuine smiles (class 0) start and end more slowly and are symmetric; posed ones (class 1)
/// have faster onsets and offsets and a stronger side: onset duration N(0.60, 0.15) vs N(0.45, 0.15),
/// offset N(0.90, 0.25) vs N(0.70, 0.25), left/right ratio N(1.00, 0.08) vs N(1.06, 0.08), amplitude
/// N(1.0, 0.2) both, times a per-subject tempo factor N(1, 0.1) on the durations; eye amplitude
/// N(0.3, 0.1) both (uninformative). Speeds and accelerations follow from a raised-cosine onset/offset
/// profile (mean speed A / T, max speed pi A / (2 T), max acceleration pi^2 A / (2 T^2)), each with
/// 10 % multiplicative measurement noise. The draws are keyed by the seed and the clip only.
public enum SyntheticSmiles {
    public static let classNames = ["genuine", "posed"]
    public static let featureFileName = "features.csv"
    public static let columns = ["lip_onset_duration", "lip_apex_duration", "lip_offset_duration", "lip_onset_amplitude",
                                 "lip_onset_mean_speed", "lip_onset_max_speed", "lip_onset_max_acceleration",
                                 "lip_offset_mean_speed", "lip_offset_max_speed", "lip_lr_amplitude_ratio", "eye_onset_amplitude"]

    public struct Configuration: Sendable {
        public var subjects = 20
        public var samples = 240
        /// Peak flow of the class motion in the images (the composite's default is 24), against noise 14.
        /// At 5 the tiny HTNet of experiments/fusion.yaml learned nothing from the images (UF1 0.52).
        public var signal: Float = 16
        public var ambiguity = 0.3
        public init() {}
    }

    /// Writes the composite and features.csv into `directory` (new or empty).
    public static func generate(into directory: String, seed: UInt64, configuration: Configuration = Configuration()) throws {
        var composite = SyntheticComposite.Configuration(
            sources: [.init(name: "smiles", subjectPrefix: "s", subjects: configuration.subjects, samples: configuration.samples,
                            noise: 14, detectionRate: 0.9)],
            classShares: [1, 1], signal: configuration.signal, ambiguity: configuration.ambiguity)
        composite.classNames = classNames
        try SyntheticComposite.generate(into: directory, seed: seed, configuration: composite)
        let dataset = try CompositeLoader(directory: directory, options: LoadOptions(classNames: classNames)).load()
        let features = HandcraftedFeatures(columns: columns, values: dataset.samples.flatMap { dynamics(of: $0, seed: seed) },
                                           source: directory + "/" + featureFileName)
        let text = HandcraftedFeatureFile.render(features, samples: dataset.samples)
        do {
            try text.write(toFile: directory + "/" + featureFileName, atomically: true, encoding: .utf8)
        } catch {
            throw DatasetError(file: directory + "/" + featureFileName, "cannot write: \(error.localizedDescription)")
        }
    }

    /// One clip's feature row (in `columns` order).
    static func dynamics(of sample: Sample, seed: UInt64) -> [Float] {
        var subjectRNG = DeterministicRNG(keys: [seed, stableHash("smile-subject"), stableHash(sample.subject)])
        let tempo = 1 + 0.1 * Double(subjectRNG.normal())
        var rng = DeterministicRNG(keys: [seed, stableHash("smile-clip"), stableHash(sample.id)])
        func normal(_ mean: Double, _ sd: Double) -> Double { mean + sd * Double(rng.normal()) }
        let posed = sample.label == 1
        let onset = max(0.1, tempo * normal(posed ? 0.45 : 0.60, 0.15))
        let apex = max(0.1, tempo * normal(0.8, 0.2))
        let offset = max(0.1, tempo * normal(posed ? 0.70 : 0.90, 0.25))
        let amplitude = max(0.2, normal(1.0, 0.2))
        let ratio = normal(posed ? 1.06 : 1.00, 0.08)
        let eye = normal(0.3, 0.1)
        func measured(_ x: Double) -> Double { x * (1 + 0.1 * Double(rng.normal())) }
        let values = [onset, apex, offset, amplitude,
                      measured(amplitude / onset), measured(Double.pi * amplitude / (2 * onset)),
                      measured(Double.pi * Double.pi * amplitude / (2 * onset * onset)),
                      measured(amplitude / offset), measured(Double.pi * amplitude / (2 * offset)), ratio, eye]
        return values.map { Float($0) }
    }
}
