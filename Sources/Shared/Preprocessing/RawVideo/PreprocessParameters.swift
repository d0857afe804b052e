import Dataset
import Foundation

/// Everything that decides what `coordinator preprocess` writes for a sample. Its hash is stored
/// with every finished sample, so a re-run skips exactly the samples done with the same parameters
/// and recomputes the rest.
public struct PreprocessParameters: Codable, Equatable, Sendable {
    /// Bumped when the pipeline's output changes for the same parameters.
    public var pipelineVersion = 1
    public var flow = FlowParameters()
    /// Face crops are resized to this square before flow (the reference apex crops are 224x224).
    public var faceSize = 224
    /// Stop a sample with an error when the onset frame has no face, instead of using the centred square.
    public var requireFace = false
    public var apexGrid = 16
    public var apexBins = 16
    /// Frame naming per dataset (overrides `FrameNaming.defaultFor`), as "numbered" or a template.
    public var frameNaming: [String: String] = [:]
    /// Frame naming for every dataset not named in `frameNaming` (nil: each dataset's default).
    public var frameNamingForAll: String?
    /// Where a sample's folder is, relative to the frames root; the first that exists is used.
    public var sampleFolders = ["{dataset}/{sub}/{sample}", "{sub}/{sample}"]
    public var faceCascade = CascadeFaceDetector.defaultPath
    public var landmarkModel = FaceLandmarkDetector.defaultModelPath
    /// The frame the landmarks are written in: MTCNN's (calibrated, default) or dlib's raw points.
    public var landmarkConvention = LandmarkConvention.mtcnn
    /// D-Marker dynamics from per-frame landmarks, written to features.csv (nil: not computed; then
    /// it is not encoded, so the hash of runs without D-Markers is unchanged).
    public var dmarkers: DMarkerParameters?

    public init() {}

    public func naming(forDataset dataset: String) throws -> FrameNaming {
        if let text = frameNaming[dataset] ?? frameNamingForAll { return try FrameNaming(parsing: text) }
        return FrameNaming.defaultFor(dataset: dataset)
    }

    public var hash: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return FNV1a.hex(of: (try? encoder.encode(self)) ?? Data())
    }
}
