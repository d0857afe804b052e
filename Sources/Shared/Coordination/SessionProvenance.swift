import Dataset
import Foundation
import Tensor
import Wire

/// What a session records about its inputs and machine at start (journalled in its `start` line):
/// the software and commit, the SHA-256 of the experiment file and of the dataset, the host, the
/// OpenBLAS kernels and the MPI library. Reports show it (RunProvenance); nothing reads it back into
/// a computation.
public struct SessionProvenance: Codable, Equatable, Sendable {
    public var software: String
    public var host: String
    public var experimentFile: String
    public var experimentSHA256: String?
    public var dataset: String
    public var datasetSHA256: String?
    public var datasetDigestOf: String
    public var openBLASCoreType: String
    public var mpiLibrary: String
    /// What the dataset's loader had to do that a reader of the results should know: landmark
    /// fallbacks, skipped samples, subjects without samples (`DatasetPreparation.inputNotes`). Absent in
    /// journals written before it was recorded.
    public var dataNotes: [String]?

    /// - Parameter encodedCache: the dataset's FeatureCache encoding; its digest stands for the dataset
    ///   when the dataset is not a cache file (a folder or synthetic data has no single file to hash).
    public static func probe(experimentPath: String, spec: DatasetSpec, encodedCache: Data, dataNotes: [String] = []) -> SessionProvenance {
        let cacheFile = spec.kind == .cache ? spec.path : nil
        let datasetDigest = cacheFile.flatMap { try? SHA256.hex(ofFile: $0) }
        return SessionProvenance(
            software: SoftwareVersion.description,
            host: ProcessInfo.processInfo.hostName,
            experimentFile: (experimentPath as NSString).standardizingPath,
            experimentSHA256: try? SHA256.hex(ofFile: experimentPath),
            dataset: [.synthetic, .syntheticFaces, .syntheticSmiles, .syntheticExpressions].contains(spec.kind) ? "\(spec.kind.rawValue) (seed \(spec.seed ?? 0))" : (spec.path ?? "?"),
            datasetSHA256: datasetDigest ?? SHA256.hex(encodedCache),
            datasetDigestOf: datasetDigest != nil ? "the feature cache file" : "the composed inputs as a feature cache (FeatureCache encoding)",
            openBLASCoreType: OpenBLASCoreType.current,
            mpiLibrary: MPILibrary.version,
            dataNotes: dataNotes)
    }
}
