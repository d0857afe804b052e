import Dataset
import Foundation

/// The on-disk layout of a composite dataset folder, as the HTNet reference distributes it, with
/// the folder names both our own layout and the reference checkout use.
public struct CompositeLayout: Sendable {
    public static let annotationFileName = "combined_3_class2_for_optical_flow.csv"
    public static let landmarksFileName = "landmarks_mtcnn_28.csv"
    /// Ours first, then the reference repository's names.
    public static let flowDirectoryNames = ["flow", "STSNet_whole_norm_u_v_os"]
    public static let apexDirectoryNames = ["apex", "combined_datasets_whole"]
    public static let annotationColumns = ["dataset", "sub", "filename_o", "label", "apex", "imagename", "sub_filename"]

    /// A sample's flow image name: `<sub>_<filename_o> .png`, space included, as the reference names it.
    public static func flowImageName(subject: String, filename: String) -> String {
        "\(subject)_\(filename) .png"
    }

    public let directory: String
    public let annotationPath: String
    public let landmarksPath: String?
    public let flowDirectory: String
    public let apexDirectory: String?

    /// Finds the files of `directory`, honouring explicit file names in `options`.
    public init(directory: String, options: LoadOptions) throws {
        let fm = FileManager.default
        let root = URL(fileURLWithPath: directory).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError(file: root, "no such dataset folder")
        }
        self.directory = root

        func resolve(_ name: String) -> String {
            name.hasPrefix("/") ? name : root + "/" + name
        }
        func existingFolder(_ names: [String]) -> String? {
            names.map(resolve).first { fm.fileExists(atPath: $0, isDirectory: &isDirectory) && isDirectory.boolValue }
        }

        if let name = options.annotationFile {
            annotationPath = resolve(name)
            guard fm.fileExists(atPath: annotationPath) else {
                throw DatasetError(file: annotationPath, "annotation CSV not found")
            }
        } else if fm.fileExists(atPath: resolve(Self.annotationFileName)) {
            annotationPath = resolve(Self.annotationFileName)
        } else {
            let csvs = ((try? fm.contentsOfDirectory(atPath: root)) ?? [])
                .filter { $0.hasSuffix(".csv") && $0 != Self.landmarksFileName && $0 != options.landmarksFile }
                .sorted()
            guard csvs.count == 1 else {
                if csvs.isEmpty, let hint = Self.classFolderHint(root, classNames: options.classNames) {
                    throw DatasetError(file: root, "no annotation CSV (\(Self.annotationFileName) or faces.csv), and \(hint)")
                }
                throw DatasetError(file: root, csvs.isEmpty
                    ? "no annotation CSV: expected \(Self.annotationFileName)"
                    : "several CSV files (\(csvs.joined(separator: ", "))) and none is \(Self.annotationFileName): name the annotation file")
            }
            annotationPath = resolve(csvs[0])
        }

        if let name = options.landmarksFile {
            let path = resolve(name)
            guard fm.fileExists(atPath: path) else { throw DatasetError(file: path, "landmarks CSV not found") }
            landmarksPath = path
        } else {
            let path = resolve(Self.landmarksFileName)
            landmarksPath = fm.fileExists(atPath: path) ? path : nil
        }

        guard let flow = existingFolder(Self.flowDirectoryNames) else {
            throw DatasetError(file: root, "no flow-image folder: expected \(Self.flowDirectoryNames.map { $0 + "/" }.joined(separator: " or "))")
        }
        flowDirectory = flow
        apexDirectory = existingFolder(Self.apexDirectoryNames)
    }

    /// A folder without CSVs whose sub-folders are not the composite's is most likely a folder per
    /// class (FaceImageLoader) with a sub-folder the class names do not include: say which, rather
    /// than only that the composite's CSV is missing.
    static func classFolderHint(_ root: String, classNames: [String]) -> String? {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        let folders = ((try? fm.contentsOfDirectory(atPath: root)) ?? []).filter {
            !$0.hasPrefix(".") && fm.fileExists(atPath: root + "/" + $0, isDirectory: &isDirectory) && isDirectory.boolValue
        }.sorted()
        let known = Set(flowDirectoryNames + apexDirectoryNames)
        guard !folders.isEmpty, !folders.contains(where: known.contains) else { return nil }
        let strays = folders.filter { !classNames.contains($0) }
        guard !strays.isEmpty else { return nil }
        return "as a folder per class, sub-folder(s) \(strays.joined(separator: ", ")) are not among the classes "
            + "\(classNames.joined(separator: ", ")) (set classes: in the experiment, or --classes)"
    }
}
