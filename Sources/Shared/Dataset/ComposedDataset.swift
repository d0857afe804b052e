import Foundation

/// A dataset ready for training: samples in annotation-CSV order and their composed HTNet inputs
/// (each [3, 28, 28] CHW, BGR, 0...255), plus where it came from and what was left out.
/// This is what the coordinator builds once, caches, and ships to workers.
public struct ComposedDataset: Equatable, Sendable {
    public var classNames: [String]
    public var samples: [Sample]
    /// samples.count * channels * imageSize * imageSize floats.
    public var inputs: [Float]
    public var imageSize: Int
    public var channels: Int
    public var manifest: DatasetManifest
    /// Rows left out under `LoadOptions.skipInvalid`, with the reason for each.
    public var skipped: [SkippedSample]
    /// Per-sample handcrafted features (`dataset.features`, or preprocessing's features.csv) for
    /// fusion experiments; nil when the experiment uses none.
    public var handcrafted: HandcraftedFeatures?

    public init(classNames: [String], samples: [Sample], inputs: [Float], imageSize: Int = InputComposer.imageSize,
                channels: Int = InputComposer.channels, manifest: DatasetManifest, skipped: [SkippedSample] = [], handcrafted: HandcraftedFeatures? = nil) {
        precondition(inputs.count == samples.count * channels * imageSize * imageSize,
                     "\(inputs.count) input values for \(samples.count) samples of \(channels)x\(imageSize)x\(imageSize)")
        self.classNames = classNames
        self.samples = samples
        self.inputs = inputs
        self.imageSize = imageSize
        self.channels = channels
        self.manifest = manifest
        self.skipped = skipped
        precondition(handcrafted == nil || handcrafted!.rows == samples.count, "handcrafted features for another sample count")
        self.handcrafted = handcrafted
    }

    /// Floats per sample (3 * 28 * 28 = 2352).
    public var sampleSize: Int { channels * imageSize * imageSize }

    public var labels: [Int] { samples.map(\.label) }

    /// Distinct subjects in order of first appearance: the LOSO folds.
    public var subjects: [String] { Self.distinct(samples.map(\.subject)) }

    /// Distinct source datasets in order of first appearance.
    public var datasetNames: [String] { Self.distinct(samples.map(\.dataset)) }

    public func indices(ofSubject subject: String) -> [Int] {
        samples.indices.filter { samples[$0].subject == subject }
    }

    /// The inputs of the given samples, concatenated in the order given.
    public func inputs(at indices: [Int]) -> [Float] {
        let size = sampleSize
        var out: [Float] = []
        out.reserveCapacity(indices.count * size)
        for i in indices { out.append(contentsOf: inputs[(i * size)..<((i + 1) * size)]) }
        return out
    }

    public static func distinct(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }
}
