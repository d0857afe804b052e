import Dataset
import Foundation

/// The frames of one sample on disk: its folder and how its frames are named. Reading a frame
/// that is missing or that OpenCV cannot decode is an error naming the path and the problem; the
/// caller adds the annotation row.
public struct FrameSequence: Sendable {
    public let folder: String
    public let naming: FrameNaming
    private let values: [String: String]
    /// Frame number -> file name, for numbered naming (the folder listed once).
    private let numberedFiles: [Int: String]

    public init(folder: String, naming: FrameNaming, subject: String, sample: String, dataset: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError(file: folder, "sample folder not found")
        }
        self.folder = folder
        self.naming = naming
        values = ["sub": subject, "sample": sample, "dataset": dataset]
        var files: [Int: String] = [:]
        if case .numbered = naming {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            for name in names.sorted() {
                if let n = FrameNaming.frameNumber(fileName: name), files[n] == nil { files[n] = name }
            }
        }
        numberedFiles = files
    }

    /// Finds the sample folder: the first of `templates` (relative to `root`) that exists.
    public static func locate(root: String, templates: [NameTemplate], subject: String, sample: String,
                              dataset: String) throws -> String {
        let values = ["sub": subject, "sample": sample, "dataset": dataset]
        var tried: [String] = []
        for template in templates {
            let path = root + "/" + (try template.expand(values))
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue { return path }
            tried.append(path)
        }
        throw DatasetError(file: tried.first ?? root,
                           "sample folder not found (tried \(tried.joined(separator: ", ")); set --sample-folder)")
    }

    /// The path frame `number` has (whether or not it exists).
    public func path(frame number: Int) throws -> String {
        switch naming {
        case .template(let template):
            var v = values
            v["n"] = String(number)
            return folder + "/" + (try template.expand(v))
        case .numbered:
            return folder + "/" + (numberedFiles[number] ?? "<no file numbered \(number)>")
        }
    }

    public func exists(frame number: Int) -> Bool {
        guard let path = try? path(frame: number) else { return false }
        return FileManager.default.fileExists(atPath: path)
    }

    /// The last frame of the run of consecutive frames starting at `first` (for clips whose sheet
    /// gives no offset: the apex is searched up to the end of the clip).
    public func lastFrame(from first: Int) -> Int {
        var n = first
        while exists(frame: n + 1) { n += 1 }
        return n
    }

    public func read(frame number: Int) throws -> GrayImage {
        let path = try path(frame: number)
        guard FileManager.default.fileExists(atPath: path) else {
            throw DatasetError(file: path, "frame \(number) not found (frame naming: \(naming))")
        }
        guard let image = GrayImage.read(path: path) else {
            throw DatasetError(file: path, "OpenCV cannot read frame \(number) (not an image, or damaged)")
        }
        return image
    }
}
