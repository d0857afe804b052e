/// Where a composed dataset came from and how it was built, so a report can name its data
/// precisely and a rerun can tell whether the data changed (hashes of every input file).
public struct DatasetManifest: Codable, Equatable, Sendable {
    /// The dataset folder (absolute path) the samples were read from.
    public var source: String
    /// Annotation CSV and its FNV-1a hash.
    public var annotationFile: String
    public var annotationHash: String
    /// Landmarks CSV and its hash; nil when the folder had none (every sample uses the fallback).
    public var landmarksFile: String?
    public var landmarksHash: String?
    /// The flow-image folder, and one hash over every loaded flow file's bytes in sample order.
    public var flowDirectory: String
    public var flowImagesHash: String
    /// The apex-image folder when there is one (the loader does not read it: landmarks are precomputed).
    public var apexDirectory: String?
    /// Hash over the composed inputs (float32 bytes): equal hashes mean equal model inputs.
    public var inputsHash: String
    /// The options the loader ran with.
    public var options: LoadOptions
    public var sampleCount: Int
    public var subjectCount: Int
    /// How each sample got its landmarks: a detected face, a row with detected = 0 (fallback
    /// values in the file), or no row at all (fallback landmarks applied by the loader).
    public var landmarksDetected: Int
    public var landmarksFallbackInFile: Int
    public var landmarksMissingRow: Int
    /// Subjects the annotation CSV names whose every row was skipped: they are not LOSO folds.
    public var subjectsWithoutSamples: [String]

    public init(source: String, annotationFile: String, annotationHash: String, landmarksFile: String?,
                landmarksHash: String?, flowDirectory: String, flowImagesHash: String, apexDirectory: String?,
                inputsHash: String, options: LoadOptions, sampleCount: Int, subjectCount: Int,
                landmarksDetected: Int, landmarksFallbackInFile: Int, landmarksMissingRow: Int,
                subjectsWithoutSamples: [String]) {
        self.source = source
        self.annotationFile = annotationFile
        self.annotationHash = annotationHash
        self.landmarksFile = landmarksFile
        self.landmarksHash = landmarksHash
        self.flowDirectory = flowDirectory
        self.flowImagesHash = flowImagesHash
        self.apexDirectory = apexDirectory
        self.inputsHash = inputsHash
        self.options = options
        self.sampleCount = sampleCount
        self.subjectCount = subjectCount
        self.landmarksDetected = landmarksDetected
        self.landmarksFallbackInFile = landmarksFallbackInFile
        self.landmarksMissingRow = landmarksMissingRow
        self.subjectsWithoutSamples = subjectsWithoutSamples
    }
}
