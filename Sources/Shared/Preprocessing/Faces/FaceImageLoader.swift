import Dataset
import Foundation
import OpenCVRuntime

/// Reads a dataset of single face images (appearance input, e.g. facial palsy grading) into the same
/// four-region composition HTNet takes from flow images: each face is brought to the 28x28 frame with
/// five landmarks, then `InputComposer` cuts the eye and mouth-corner tiles.
///
/// Layouts:
/// - a folder with `faces.csv`: columns image_path (relative to the folder), label, subject, and
///   optionally side (left/right/none: the affected side, kept with the sample), split
///   (train/val/test, for `protocol: {split: column}`), dataset (source name; default "faces") and the
///   ten landmark columns (lx_eye ... ry_mouth, in the 28x28 frame);
/// - a folder per class: DIR/<class name>/<subject>_<anything>.png|jpg (the subject is the file
///   name up to its first '_').
/// Alignment, per image:
/// - a 28x28 image whose row gives landmarks is taken as already aligned (the synthetic graded
///   faces are written that way): no detection runs;
/// - any other image is aligned by the raw-video pipeline's face steps: the largest OpenCV cascade
///   face (the whole image when none), cropped and resized to 28x28, and dlib's 68 landmarks
///   reduced to five (`FaceLandmarkDetector`); no face for dlib means the reference's fallback
///   landmarks, counted in the manifest (`landmarksMissingRow`).
/// Labels are read as the composite loader reads them: through the class map, or as an index or a
/// class name. Every problem names the file and row.
public struct FaceImageLoader {
    public static let csvName = "faces.csv"
    public let directory: String
    public let options: LoadOptions

    public init(directory: String, options: LoadOptions = LoadOptions()) {
        self.directory = URL(fileURLWithPath: directory).standardizedFileURL.path
        self.options = options
    }

    /// A faces folder: it has faces.csv, or only class-named subfolders of images.
    public static func isFacesFolder(_ directory: String, classNames: [String]) -> Bool {
        let fm = FileManager.default
        if fm.fileExists(atPath: directory + "/" + csvName) { return true }
        guard let entries = try? fm.contentsOfDirectory(atPath: directory), !entries.isEmpty else { return false }
        var isDirectory: ObjCBool = false
        let folders = entries.filter { fm.fileExists(atPath: directory + "/" + $0, isDirectory: &isDirectory) && isDirectory.boolValue }
        return !folders.isEmpty && folders.allSatisfy { classNames.contains($0) }
    }

    struct Row {
        /// The faces.csv line; nil for an image found in a class folder (its error names the image).
        var line: Int?
        var path: String
        var label: String
        var subject: String
        var side: String?
        var split: String?
        var dataset: String
        var landmarks: FaceLandmarks?
    }

    public func load() throws -> ComposedDataset {
        try OpenCVLibrary.require(for: "reading face images", file: directory)
        let csvPath = directory + "/" + Self.csvName
        let rows = FileManager.default.fileExists(atPath: csvPath) ? try csvRows(csvPath) : try folderRows()
        let annotation = FileManager.default.fileExists(atPath: csvPath) ? csvPath : directory
        var aligner: FaceAligner?
        let composer = InputComposer(crop: options.crop)
        var samples: [Sample] = [], inputs: [Float] = [], imageHash = FNV1a()
        var withLandmarks = 0, fallback = 0, seen: [String: Int] = [:]
        for row in rows {
            if let line = row.line {
                if let earlier = seen[row.path] { throw DatasetError(file: annotation, line: line, "image '\(row.path)' is listed twice (line \(earlier))") }
                seen[row.path] = line
            }
            let label = try classIndex(row.label, file: annotation, line: row.line)
            let path = row.path.hasPrefix("/") ? row.path : directory + "/" + row.path
            guard let bytes = FileManager.default.contents(atPath: path) else {
                throw DatasetError(file: annotation, line: row.line, "image not found: \(path)")
            }
            guard let image = Image8.decodeColor(bytes) else {
                throw DatasetError(file: annotation, line: row.line, "OpenCV cannot read the image \(path)")
            }
            imageHash.update(bytes)
            let face: Image8, landmarks: FaceLandmarks
            if image.rows == InputComposer.imageSize, image.cols == InputComposer.imageSize, let given = row.landmarks {
                (face, landmarks) = (image, given)
                withLandmarks += 1
            } else {
                if aligner == nil { aligner = try FaceAligner() }
                let aligned = aligner!.align(image)
                (face, landmarks) = (aligned.face, aligned.landmarks)
                if aligned.detected { withLandmarks += 1 } else { fallback += 1 }
            }
            composer.compose(face, landmarks: landmarks, into: &inputs)
            samples.append(Sample(id: row.path, subject: row.subject, dataset: row.dataset, label: label, split: row.split, side: row.side))
        }
        guard !samples.isEmpty else { throw DatasetError(file: annotation, "no face images listed") }
        var inputsHash = FNV1a()
        inputsHash.update(floats: inputs)
        let manifest = DatasetManifest(
            source: directory, annotationFile: annotation,
            annotationHash: annotation == csvPath ? try CompositeLoader.fileHash(csvPath) : FNV1a.hex(of: Data(rows.map(\.path).joined(separator: "\n").utf8)),
            landmarksFile: nil, landmarksHash: nil, flowDirectory: directory, flowImagesHash: imageHash.hex, apexDirectory: nil,
            inputsHash: inputsHash.hex, options: options, sampleCount: samples.count, subjectCount: Set(samples.map(\.subject)).count,
            landmarksDetected: withLandmarks, landmarksFallbackInFile: 0, landmarksMissingRow: fallback, subjectsWithoutSamples: [])
        return ComposedDataset(classNames: options.classNames, samples: samples, inputs: inputs, manifest: manifest)
    }

    func classIndex(_ text: String, file: String, line: Int?) throws -> Int {
        let classes = options.classNames
        if let map = options.labelMap {
            guard let index = map.classIndex(of: text), classes.indices.contains(index) else {
                throw DatasetError(file: file, line: line, "label '\(text)' is not in the class map\(map.file.map { " \($0)" } ?? "") (it maps: \(map.entries.keys.sorted().joined(separator: ", ")))")
            }
            return index
        }
        if let index = classes.firstIndex(of: text) { return index }
        if let index = Int(text), classes.indices.contains(index) { return index }
        throw DatasetError(file: file, line: line, "label '\(text)' is not a class: expected one of \(classes.joined(separator: ", ")) or an index 0..<\(classes.count) (set classes: in the experiment)")
    }

    func csvRows(_ path: String) throws -> [Row] {
        let table = try CSVTable.read(path: path)
        let pathColumn = try table.requiredColumn("image_path"), labelColumn = try table.requiredColumn("label")
        let subjectColumn = try table.requiredColumn("subject")
        let sideColumn = table.header.firstIndex(of: "side"), splitColumn = table.header.firstIndex(of: "split")
        let datasetColumn = table.header.firstIndex(of: "dataset")
        let landmarkColumns = FaceLandmarks.columnNames.map { table.header.firstIndex(of: $0) }
        let hasLandmarks = landmarkColumns.allSatisfy { $0 != nil }
        if !hasLandmarks, landmarkColumns.contains(where: { $0 != nil }) {
            throw DatasetError(file: path, line: 1, "gives some landmark columns but not all of \(FaceLandmarks.columnNames.joined(separator: ", "))")
        }
        return try table.rows.map { r in
            let field = { (i: Int) in r.fields[i].trimmingCharacters(in: .whitespaces) }
            for (i, name) in [(pathColumn, "image_path"), (labelColumn, "label"), (subjectColumn, "subject")] where field(i).isEmpty {
                throw DatasetError(file: path, line: r.line, "empty '\(name)' field")
            }
            var side: String?
            if let sideColumn {
                let s = field(sideColumn).lowercased()
                guard ["left", "right", "none", ""].contains(s) else {
                    throw DatasetError(file: path, line: r.line, "side '\(field(sideColumn))' is not left, right or none")
                }
                side = s.isEmpty ? nil : s
            }
            var split: String?
            if let splitColumn {
                guard let s = SplitName.canonical(field(splitColumn)) else {
                    throw DatasetError(file: path, line: r.line, "split '\(field(splitColumn))' is not train, val or test")
                }
                split = s
            }
            var landmarks: FaceLandmarks?
            if hasLandmarks {
                // The landmarks CSV's rule (LandmarkTable.validRange): a finite 28x28-frame coordinate,
                // at most one crop outside the frame. NaN would reach the crop as an integer conversion.
                var v: [Double] = []
                for (column, name) in zip(landmarkColumns, FaceLandmarks.columnNames) {
                    let text = field(column!)
                    guard let value = Double(text), value.isFinite else {
                        throw DatasetError(file: path, line: r.line, "landmark \(name) '\(text)' is not a number")
                    }
                    guard LandmarkTable.validRange.contains(value) else {
                        throw DatasetError(file: path, line: r.line,
                                           "landmark \(name) = \(text) is out of range: a 28x28-frame coordinate must lie in -14...42")
                    }
                    v.append(value)
                }
                landmarks = FaceLandmarks(points: (0..<5).map { FaceLandmarks.Point(x: v[2 * $0], y: v[2 * $0 + 1]) })
            }
            return Row(line: r.line, path: field(pathColumn), label: field(labelColumn), subject: field(subjectColumn), side: side,
                       split: split, dataset: datasetColumn.map(field).flatMap { $0.isEmpty ? nil : $0 } ?? "faces", landmarks: landmarks)
        }
    }

    func folderRows() throws -> [Row] {
        let fm = FileManager.default
        var rows: [Row] = []
        for name in options.classNames {
            let folder = directory + "/" + name
            guard let files = try? fm.contentsOfDirectory(atPath: folder) else { continue }
            for file in files.sorted() where [".png", ".jpg", ".jpeg", ".bmp"].contains(where: { file.lowercased().hasSuffix($0) }) {
                let subject = String(file.split(separator: "_", maxSplits: 1).first ?? Substring(file))
                rows.append(Row(line: nil, path: name + "/" + file, label: name, subject: subject, dataset: "faces"))
            }
        }
        return rows
    }
}
