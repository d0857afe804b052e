/// What the composite loader is told about a dataset folder beyond what it can find on its own.
public struct LoadOptions: Codable, Equatable, Sendable {
    /// The 3-class MER label set of the composite benchmark.
    public static let threeClassMER = ["negative", "positive", "surprise"]

    public var crop: CropRule
    /// Class names; CSV labels are indices 0..<classNames.count (or the names themselves).
    public var classNames: [String]
    /// Landmarks CSV, relative to the folder or absolute. nil: use `landmarks_mtcnn_28.csv` when
    /// the folder has one, otherwise the fallback landmarks for every sample.
    public var landmarksFile: String?
    /// Annotation CSV, relative to the folder or absolute. nil: `combined_3_class2_for_optical_flow.csv`,
    /// or the folder's only other CSV file.
    public var annotationFile: String?
    /// Skip invalid rows (recording each in `ComposedDataset.skipped`) instead of failing on the first.
    public var skipInvalid: Bool
    /// Label text -> class index, applied before the index-or-name rule (experiment `classes: {map: FILE}`);
    /// nil reads labels as indices or class names. Optional so manifests written before it decode.
    public var labelMap: LabelMap?

    public init(crop: CropRule = .reference, classNames: [String] = LoadOptions.threeClassMER,
                landmarksFile: String? = nil, annotationFile: String? = nil, skipInvalid: Bool = false,
                labelMap: LabelMap? = nil) {
        self.labelMap = labelMap
        self.crop = crop
        self.classNames = classNames
        self.landmarksFile = landmarksFile
        self.annotationFile = annotationFile
        self.skipInvalid = skipInvalid
    }
}
