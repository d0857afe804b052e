import Dataset
import Foundation

/// RAF-DB's basic-expression layout: a partition label list (`list_patition_label.txt`, lines
/// `train_00001.jpg 5`, labels 1-7: surprise, fear, disgust, happiness, sadness, anger, neutral) and
/// an image folder; the aligned release names `train_00001.jpg` as `train_00001_aligned.jpg`, so
/// either name is looked up. RAF-DB has no subject ids: every image is its own subject; the
/// partition (train / test) becomes the sample's `dataset` column. Images are resized to `side`.
public enum RAFDBLoader {
    public static func load(labels path: String, images directory: String, side: Int = 112) throws -> ComposedDataset {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw DatasetError(file: path, "cannot read the label list (missing, unreadable or not UTF-8)")
        }
        var builder = FaceSetBuilder(side: side, classNames: FaceExpressionClasses.rafDB, source: "rafdb")
        var firstLine: [String: Int] = [:]
        // Split on any line break: "\r\n" is one Character, never equal to "\n" (a Windows-edited list
        // used to read as one line). A byte-order mark is no part of the first image name.
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        for (i, raw) in body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            func bad(_ problem: String) -> DatasetError { DatasetError(file: path, line: i + 1, problem) }
            let parts = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard parts.count == 2 else { throw bad("'\(line)' is not 'IMAGE LABEL'") }
            guard let label = Int(parts[1]), (1...7).contains(label) else { throw bad("label '\(parts[1])' is not 1-7") }
            let name = String(parts[0]), stem = (name as NSString).deletingPathExtension, ext = (name as NSString).pathExtension
            if let earlier = firstLine[stem] { throw bad("image \(name) is listed twice (line \(earlier))") }
            firstLine[stem] = i + 1
            let candidates = [name, "\(stem)_aligned.\(ext)"].map { (directory as NSString).appendingPathComponent($0) }
            guard let file = candidates.first(where: { FileManager.default.fileExists(atPath: $0) }) else {
                throw bad("image \(name) is not in \(directory) (looked for \(candidates.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")))")
            }
            guard let image = Image8.readColor(path: file) else { throw bad("\(file) cannot be decoded as an image") }
            builder.append(image, sample: Sample(id: stem, subject: stem, dataset: stem.hasPrefix("test") ? "test" : "train", label: label - 1))
        }
        if builder.samples.isEmpty { throw DatasetError(file: path, "lists no images") }
        return builder.build(file: path, hash: FaceSetBuilder.fileHash(path))
    }
}
