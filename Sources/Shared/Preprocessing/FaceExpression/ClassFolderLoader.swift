import Dataset
import Foundation

/// A folder per class (`ROOT/<class>/<image>`), the layout of CK+ and of many exports. Classes are
/// the sub-folders in name order unless `classNames` fixes them (then every sub-folder must be one).
/// Subject ids follow CK+'s file names (`S005_001_00000011.png` -> `S005`): the part of the name
/// before its first `_`, or the whole stem when it has none, so k-fold by subject keeps a person's
/// images on one side. Images are resized to `side`.
public enum ClassFolderLoader {
    static let imageExtensions: Set<String> = ["png", "jpg", "jpeg", "bmp", "tif", "tiff"]

    public static func subject(ofFile name: String) -> String {
        let stem = (name as NSString).deletingPathExtension
        return stem.split(separator: "_", maxSplits: 1).first.map(String.init) ?? stem
    }

    public static func load(root: String, classNames given: [String]? = nil, side: Int = 112) throws -> ComposedDataset {
        let fm = FileManager.default
        guard let entries = try? fm.contentsOfDirectory(atPath: root) else { throw DatasetError(file: root, "cannot list the folder") }
        let folders = entries.filter { var d: ObjCBool = false; return fm.fileExists(atPath: (root as NSString).appendingPathComponent($0), isDirectory: &d) && d.boolValue && !$0.hasPrefix(".") }.sorted()
        let classes = given ?? folders
        if classes.count < 2 { throw DatasetError(file: root, "\(classes.count) class folder(s); a task needs at least 2") }
        if let stray = folders.first(where: { !classes.contains($0) }) {
            throw DatasetError(file: (root as NSString).appendingPathComponent(stray), "folder is not one of the classes \(classes.joined(separator: ", "))")
        }
        var builder = FaceSetBuilder(side: side, classNames: classes, source: "class-folders")
        for (label, name) in classes.enumerated() {
            let folder = (root as NSString).appendingPathComponent(name)
            let files = ((try? fm.contentsOfDirectory(atPath: folder)) ?? [])
                .filter { imageExtensions.contains(($0 as NSString).pathExtension.lowercased()) }.sorted()
            for file in files {
                let path = (folder as NSString).appendingPathComponent(file)
                guard let image = Image8.readColor(path: path) else { throw DatasetError(file: path, "cannot be decoded as an image") }
                builder.append(image, sample: Sample(id: "\(name)/\(file)", subject: subject(ofFile: file), dataset: "class-folders", label: label))
            }
        }
        if builder.samples.isEmpty { throw DatasetError(file: root, "no images (\(imageExtensions.sorted().joined(separator: ", "))) in the class folders") }
        return builder.build(file: root, hash: FNV1a.hex(of: Array(builder.samples.map(\.id).joined(separator: "\n").utf8)))
    }
}
