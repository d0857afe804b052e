import Dataset
import Foundation

/// Reads a dataset folder in the reference layout (see `CompositeLayout`) and composes every
/// sample's HTNet input. Every problem is an error naming the file, line and problem; with
/// `skipInvalid` a row-level problem skips that row instead and is recorded in `skipped`.
///
/// Decisions a researcher bringing their own data should know:
/// - Labels are indices 0..<classNames.count or the class names themselves.
/// - A sample with no landmarks row gets the reference's fallback landmarks (counted in the
///   manifest); a landmarks row naming a sample the CSV does not list is an error, because it
///   means the two files do not belong together.
/// - Landmarks may lie a little outside the 28x28 frame (MTCNN does that; the crop clamps them)
///   but not more than one crop (14 pixels): -14...42.
/// - A subject whose every row was skipped is no fold; the manifest lists it in
///   `subjectsWithoutSamples`. A dataset left with no samples at all is an error.
/// - Apex images are not read: the landmarks CSV already holds what the reference derives from them.
public struct CompositeLoader {
    public let directory: String
    public let options: LoadOptions
    /// Called with a progress line ("composed 1200/5000 samples, eta 3m05s") at most every
    /// `progressInterval` seconds while composing; nil for silence (tests, small folders).
    public var progress: ((String) -> Void)?
    public var progressInterval: TimeInterval = 5

    public init(directory: String, options: LoadOptions = LoadOptions(), progress: ((String) -> Void)? = nil) {
        self.directory = directory
        self.options = options
        self.progress = progress
    }

    /// One annotation row, its fields checked but its image not yet read.
    private struct AnnotatedRow {
        let line: Int
        let dataset: String
        let subject: String
        let id: String
        let label: Int
        let split: String?
    }

    public func load() throws -> ComposedDataset {
        try OpenCVLibrary.require(for: "reading the flow images of a dataset folder", file: directory)
        let layout = try CompositeLayout(directory: directory, options: options)
        let table = try CSVTable.read(path: layout.annotationPath)
        try validateClassNames(file: layout.annotationPath)
        let columns = try ["dataset", "sub", "filename_o", "label"].map { try table.requiredColumn($0) }
        // An optional predefined partition per row (protocol: {split: column}).
        let splitColumn = table.header.firstIndex(of: "split")
        // Checked before the landmarks, whose rows would otherwise all be reported as unknown samples.
        if table.rows.isEmpty { throw DatasetError(file: layout.annotationPath, "has a header but no sample rows") }
        let landmarks = try layout.landmarksPath.map { try LandmarkTable(path: $0) }
        let composer = InputComposer(crop: options.crop)

        var skipped: [SkippedSample] = []
        func skipOrThrow(_ error: DatasetError, id: String, subject: String?) throws {
            guard options.skipInvalid else { throw error }
            skipped.append(SkippedSample(id: id, subject: subject, error: error))
        }

        var samples: [Sample] = []
        var inputs: [Float] = []
        var flowHash = FNV1a()
        var firstLineOfID: [String: Int] = [:]
        var listedSubjects: [String] = []
        var detected = 0, fallbackInFile = 0, missingRow = 0

        let estimate = ProgressEstimate(total: table.rows.count)
        var lastReport = Date()
        for (done, row) in table.rows.enumerated() {
            if let progress, Date().timeIntervalSince(lastReport) >= progressInterval {
                lastReport = Date()
                progress("composed \(done)/\(table.rows.count) samples, \(estimate.text(completed: done))")
            }
            let subject = row.fields[columns[1]]
            if !subject.isEmpty { listedSubjects.append(subject) }
            do {
                let annotated = try annotate(row, columns: columns, splitColumn: splitColumn, path: layout.annotationPath)
                if let earlier = firstLineOfID[annotated.id] {
                    throw DatasetError(file: layout.annotationPath, line: row.line,
                                       "duplicate sample '\(annotated.id)' (line \(earlier) already lists it)")
                }
                firstLineOfID[annotated.id] = row.line
                let (image, bytes) = try readFlowImage(annotated, layout: layout)
                if let problem = landmarks?.problems[annotated.id] { throw problem }
                let entry = landmarks?.entries[annotated.id]
                composer.compose(image, landmarks: entry?.landmarks ?? .fallback, into: &inputs)
                flowHash.update(bytes)
                switch entry?.detected {
                case true?: detected += 1
                case false?: fallbackInFile += 1
                case nil: missingRow += 1
                }
                samples.append(Sample(id: annotated.id, subject: annotated.subject,
                                      dataset: annotated.dataset, label: annotated.label, split: annotated.split))
            } catch let error as DatasetError {
                let id = CompositeLayout.flowImageName(subject: subject, filename: row.fields[columns[2]])
                try skipOrThrow(error, id: id, subject: subject.isEmpty ? nil : subject)
            }
        }

        // Landmarks rows must describe samples of this CSV: a row for an unknown image means the
        // two files do not belong together, and the CSV's samples would silently get fallback
        // landmarks. Checked after the rows, so an annotation row's own error is reported first.
        let listedIDs = Set(table.rows.map {
            CompositeLayout.flowImageName(subject: $0.fields[columns[1]], filename: $0.fields[columns[2]])
        })
        for (name, line) in landmarks?.names ?? [] where !listedIDs.contains(name) {
            try skipOrThrow(DatasetError(file: landmarks!.path, line: line,
                                         "landmarks for '\(name)', which the annotation CSV does not list (the two files must describe the same samples)"),
                            id: name, subject: nil)
        }

        guard !samples.isEmpty else {
            let why = skipped.first.map { "every row was skipped; the first: \($0.error)" } ?? "no sample rows"
            throw DatasetError(file: layout.annotationPath, why)
        }
        let loadedSubjects = Set(samples.map(\.subject))
        var inputsHash = FNV1a()
        inputsHash.update(floats: inputs)
        let manifest = DatasetManifest(
            source: layout.directory,
            annotationFile: layout.annotationPath, annotationHash: try Self.fileHash(layout.annotationPath),
            landmarksFile: layout.landmarksPath, landmarksHash: try layout.landmarksPath.map(Self.fileHash),
            flowDirectory: layout.flowDirectory, flowImagesHash: flowHash.hex, apexDirectory: layout.apexDirectory,
            inputsHash: inputsHash.hex, options: options,
            sampleCount: samples.count, subjectCount: loadedSubjects.count,
            landmarksDetected: detected, landmarksFallbackInFile: fallbackInFile, landmarksMissingRow: missingRow,
            subjectsWithoutSamples: ComposedDataset.distinct(listedSubjects).filter { !loadedSubjects.contains($0) })
        return ComposedDataset(classNames: options.classNames, samples: samples, inputs: inputs,
                               manifest: manifest, skipped: skipped)
    }

    private func validateClassNames(file: String) throws {
        let names = options.classNames
        if names.isEmpty { throw DatasetError(file: file, "no class names given") }
        if names.contains(where: { $0.isEmpty }) { throw DatasetError(file: file, "a class name is empty") }
        if Set(names).count != names.count {
            throw DatasetError(file: file, "class names repeat: \(names.joined(separator: ", "))")
        }
    }

    private func annotate(_ row: CSVTable.Row, columns: [Int], splitColumn: Int?, path: String) throws -> AnnotatedRow {
        var split: String?
        if let splitColumn {
            let text = row.fields[splitColumn]
            guard let name = SplitName.canonical(text) else {
                throw DatasetError(file: path, line: row.line, "split '\(text)' is not train, val or test")
            }
            split = name
        }
        let dataset = row.fields[columns[0]], subject = row.fields[columns[1]]
        let filename = row.fields[columns[2]]
        let labelText = row.fields[columns[3]].trimmingCharacters(in: .whitespaces)
        for (value, name) in [(dataset, "dataset"), (subject, "sub"), (filename, "filename_o")] where value.isEmpty {
            throw DatasetError(file: path, line: row.line, "empty '\(name)' field")
        }
        let classes = options.classNames
        let label: Int
        if let map = options.labelMap {
            guard let index = map.classIndex(of: labelText), classes.indices.contains(index) else {
                throw DatasetError(file: path, line: row.line,
                                   "label '\(labelText)' is not in the class map\(map.file.map { " \($0)" } ?? "") (it maps: \(map.entries.keys.sorted().joined(separator: ", ")))")
            }
            label = index
        } else if let index = Int(labelText), classes.indices.contains(index) {
            label = index
        } else if let index = classes.firstIndex(of: labelText) {
            label = index
        } else {
            let list = classes.enumerated().map { "\($0.offset) \($0.element)" }.joined(separator: ", ")
            throw DatasetError(file: path, line: row.line,
                               "label '\(labelText)' is not a class: expected 0..<\(classes.count) (\(list)) or a class name")
        }
        return AnnotatedRow(line: row.line, dataset: dataset, subject: subject,
                            id: CompositeLayout.flowImageName(subject: subject, filename: filename), label: label, split: split)
    }

    /// The row's flow image, decoded from the same bytes that go into the manifest's hash.
    private func readFlowImage(_ row: AnnotatedRow, layout: CompositeLayout) throws -> (Image8, Data) {
        let path = layout.flowDirectory + "/" + row.id
        let size = InputComposer.imageSize
        guard FileManager.default.fileExists(atPath: path) else {
            throw DatasetError(file: layout.annotationPath, line: row.line, "flow image not found: \(path)")
        }
        guard let bytes = FileManager.default.contents(atPath: path), let image = Image8.decodeColor(bytes) else {
            throw DatasetError(file: layout.annotationPath, line: row.line, "OpenCV cannot read the flow image \(path)")
        }
        guard image.rows == size, image.cols == size else {
            throw DatasetError(file: layout.annotationPath, line: row.line,
                               "flow image \(path) is \(image.rows)x\(image.cols) pixels; expected \(size)x\(size)")
        }
        return (image, bytes)
    }

    static func fileHash(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(file: path, "cannot read the file (missing or unreadable)")
        }
        return FNV1a.hex(of: data)
    }
}
