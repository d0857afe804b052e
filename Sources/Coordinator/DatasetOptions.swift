import ArgumentParser
import Dataset

/// How to read a dataset folder, as command-line flags (defaults: the 3-class composite, reference crop).
struct DatasetOptions: ParsableArguments {
    @Option(help: "Class names in label order, comma-separated (labels are 0..<count or these names).")
    var classes = LoadOptions.threeClassMER.joined(separator: ",")
    @Option(help: "Crop rule: reference (rows from x, as the reference code) or geometric.")
    var crop: CropRule = .reference
    @Option(help: "Landmarks CSV, relative to the folder or absolute (default: landmarks_mtcnn_28.csv when present).")
    var landmarks: String?
    @Option(help: "Annotation CSV, relative to the folder or absolute (default: combined_3_class2_for_optical_flow.csv, or the folder's only CSV).")
    var annotations: String?
    @Flag(help: "Skip invalid rows (each is reported) instead of stopping at the first.")
    var skipInvalid = false

    var loadOptions: LoadOptions {
        LoadOptions(crop: crop,
                    classNames: classes.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) },
                    landmarksFile: landmarks, annotationFile: annotations, skipInvalid: skipInvalid)
    }
}
