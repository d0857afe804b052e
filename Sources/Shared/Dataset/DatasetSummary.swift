/// Counts of a composed dataset per source dataset, subject and class, and what was left out,
/// rendered as plain-text tables: what a researcher checks before spending a cluster on it.
public struct DatasetSummary: Sendable {
    public struct Row: Equatable, Sendable {
        public var name: String
        /// Samples per class, in class order.
        public var classCounts: [Int]
        public var total: Int { classCounts.reduce(0, +) }
    }

    public let classNames: [String]
    public let perDataset: [Row]
    /// One row per subject (name "subject (dataset)"), in first-appearance order.
    public let perSubject: [Row]
    public let total: Row
    public let manifest: DatasetManifest
    public let skipped: [SkippedSample]

    public init(_ data: ComposedDataset) {
        classNames = data.classNames
        func row(_ name: String, _ members: [Sample]) -> Row {
            var counts = [Int](repeating: 0, count: data.classNames.count)
            for s in members where counts.indices.contains(s.label) { counts[s.label] += 1 }
            return Row(name: name, classCounts: counts)
        }
        perDataset = data.datasetNames.map { name in row(name, data.samples.filter { $0.dataset == name }) }
        perSubject = data.subjects.map { subject in
            let members = data.samples.filter { $0.subject == subject }
            let datasets = ComposedDataset.distinct(members.map(\.dataset)).joined(separator: "+")
            return row("\(subject) (\(datasets))", members)
        }
        total = row("all", data.samples)
        manifest = data.manifest
        skipped = data.skipped
    }

    /// Where the landmarks came from: a landmarks file; per image (a faces folder: faces.csv's
    /// landmark columns, or the face pipeline's detection where there are none); or nowhere.
    var landmarkSource: String {
        let m = manifest
        if let file = m.landmarksFile { return "\(file) (fnv1a \(m.landmarksHash ?? "?"))" }
        return m.landmarksDetected > 0
            ? "no landmarks file; per image from the annotation's landmark columns or the face pipeline's detection (counts below)"
            : "none (fallback landmarks for every sample)"
    }

    /// The whole summary as text: source, tables, landmark provenance, skipped rows.
    public var text: String {
        let m = manifest
        var lines = [
            "source:      \(m.source)",
            "annotations: \(m.annotationFile) (fnv1a \(m.annotationHash))",
            "landmarks:   \(landmarkSource)",
            "flow images: \(m.flowDirectory) (fnv1a \(m.flowImagesHash)); composed inputs fnv1a \(m.inputsHash)",
            "options:     crop \(m.options.crop.rawValue), classes \(classNames.joined(separator: ", ")), skip invalid \(m.options.skipInvalid ? "yes" : "no")",
            "\(total.total) samples, \(perSubject.count) subjects, \(perDataset.count) source datasets",
            "landmarks:   \(m.landmarksDetected) detected, \(m.landmarksFallbackInFile) fallback (detected = 0), \(m.landmarksMissingRow) without a landmarks row (fallback)",
            "",
            "per dataset:",
        ]
        lines += table(perDataset + [total], firstColumn: "dataset")
        lines += ["", "per subject:"]
        lines += table(perSubject, firstColumn: "subject")
        if !m.subjectsWithoutSamples.isEmpty {
            lines += ["", "subjects with no samples left (not folds): \(m.subjectsWithoutSamples.joined(separator: ", "))"]
        }
        lines += ["", skipped.isEmpty ? "skipped: none" : "skipped: \(skipped.count)"]
        lines += skipped.map { "  \($0)" }
        return lines.joined(separator: "\n") + "\n"
    }

    private func table(_ rows: [Row], firstColumn: String) -> [String] {
        let header = [firstColumn] + classNames + ["total"]
        let cells = rows.map { [$0.name] + $0.classCounts.map(String.init) + [String($0.total)] }
        let widths = header.indices.map { c in ([header[c]] + cells.map { $0[c] }).map(\.count).max()! }
        func line(_ values: [String]) -> String {
            values.enumerated().map { c, value in
                let pad = String(repeating: " ", count: widths[c] - value.count)
                return c == 0 ? value + pad : pad + value
            }.joined(separator: "  ")
        }
        return ([header] + cells).map { "  " + line($0) }
    }
}
