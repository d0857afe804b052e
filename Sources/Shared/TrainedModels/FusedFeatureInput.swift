import Dataset
import Tensor

/// What a fused model (`model.fusion`) reads besides its image: the handcrafted feature columns, in
/// the order it was trained on, z-scored with the statistics of its fold's training samples
/// (FeatureStandardisation, as the worker standardised them). A kept checkpoint carries it, so the
/// model predicts new samples from the same columns scaled the same way.
public struct FusedFeatureInput: Codable, Equatable, Sendable {
    public var columns: [String]
    public var mean: [Double]
    public var standardDeviation: [Double]

    public init(columns: [String], standardisation: FeatureStandardisation) {
        self.columns = columns
        mean = standardisation.mean
        standardDeviation = standardisation.standardDeviation
    }

    /// The fold's own: its training samples' rows of `features`.
    public init(features: HandcraftedFeatures, trainIndices: [Int]) {
        self.init(columns: features.columns,
                  standardisation: FeatureStandardisation(rows: features.rows(at: trainIndices), columns: features.count))
    }

    public var standardisation: FeatureStandardisation { FeatureStandardisation(mean: mean, standardDeviation: standardDeviation) }

    /// The standardised rows of the samples at `indices` of a dataset's features, which must have
    /// these columns in this order (else an error naming both column lists).
    public func rows(of features: HandcraftedFeatures?, at indices: [Int], source: String) throws -> [Float] {
        guard let features else {
            throw FileError(path: source, problem: "the model fuses handcrafted features (\(columns.count) columns); the dataset has none (give its features.csv with --features)")
        }
        guard features.columns == columns else {
            let missing = columns.filter { !features.columns.contains($0) }
            throw FileError(path: source, problem: "the model was trained on feature columns \(Self.summary(columns)), the dataset's "
                                  + "\(features.source) has \(Self.summary(features.columns))"
                                  + (missing.isEmpty ? " (same columns, another order)" : " (missing: \(Self.summary(missing)))"))
        }
        return standardisation.apply(features.rows(at: indices))
    }

    static func summary(_ names: [String]) -> String {
        names.count <= 6 ? "\(names)" : "\(names.prefix(5)) ... (\(names.count) columns)"
    }
}
