import Dataset
import Foundation

/// The files a preprocess run writes at its end, from the per-sample records: the annotation CSV
/// and landmarks CSV the loader reads, the class map used, and a report with one row per sheet row
/// (done, excluded or failed, with the spotted apexes and every fallback and why), and with
/// D-Markers asked for, features.csv (the clips' D-Markers) and each clip's tracking in the report's
/// `dmarkers` column (frames, interpolated frames, fps; or why there are none). All are written
/// atomically, so a run interrupted here leaves the previous versions whole.
struct PreprocessOutput {
    static let reportFileName = "preprocess_report.csv"
    static let parametersFileName = "preprocess_parameters.json"
    /// The D-Markers (`coordinator preprocess --dmarkers`), in the layout `dataset.features` reads.
    static let featuresFileName = "features.csv"

    let directory: String
    let classMap: EmotionClassMap

    var reportPath: String { directory + "/" + Self.reportFileName }

    func write(records: [SampleRecord], plan: PreprocessPlan, failures: [DatasetError],
               parameters: PreprocessParameters) throws {
        var annotations = (CompositeLayout.annotationColumns + ["onset", "apex_spotted", "emotion"])
            .joined(separator: ",") + "\n"
        var landmarks = (["flow_image", "detected"] + FaceLandmarks.columnNames).joined(separator: ",") + "\n"
        for r in records {
            let e = r.entry
            annotations += [e.dataset, e.subject, e.sample, String(e.label), String(r.apexFrame), r.apexImage, "",
                            String(e.onset), r.apexSpotted ? "1" : "0", e.emotion].map(Self.field).joined(separator: ",") + "\n"
            let values = r.landmarks.points.flatMap { [$0.x, $0.y] }.map { String(format: "%.6f", $0) }
            landmarks += ([Self.field(e.id), r.landmarksDetected ? "1" : "0"] + values).joined(separator: ",") + "\n"
        }

        var report = "line,dataset,sub,sample,status,apex,apex_source,face,landmarks,note,dmarkers\n"
        var rows: [(Int, String)] = []
        for r in records {
            let e = r.entry
            let notes = [r.faceFallbackReason, r.landmarksFallbackReason].compactMap { $0 }.joined(separator: "; ")
            rows.append((e.line, [String(e.line), e.dataset, e.subject, e.sample, "done", String(r.apexFrame),
                                  r.apexSpotted ? "spotted" : "sheet", r.faceFallbackReason == nil ? "cascade" : "fallback",
                                  r.landmarksDetected ? "detected" : "fallback", notes,
                                  r.dmarkerTracking?.summary ?? ""].map(Self.field).joined(separator: ",")))
        }
        for x in plan.excluded {
            rows.append((x.line, [String(x.line), "", x.subject, x.sample, "excluded", "", "", "", "",
                                  "emotion '\(x.emotion)' is excluded by the class map", ""].map(Self.field).joined(separator: ",")))
        }
        for f in failures {
            rows.append((f.line ?? 0, [f.line.map(String.init) ?? "", "", "", "", "failed", "", "", "", "",
                                       f.problem, ""].map(Self.field).joined(separator: ",")))
        }
        report += rows.sorted { $0.0 < $1.0 }.map { $0.1 + "\n" }.joined()

        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let parametersJSON = String(decoding: try encoder.encode(parameters), as: UTF8.self) + "\n"

        try writeTextAtomically(annotations, to: directory + "/" + CompositeLayout.annotationFileName)
        try writeTextAtomically(landmarks, to: directory + "/" + CompositeLayout.landmarksFileName)
        try writeTextAtomically(classMap.csvText, to: directory + "/" + EmotionClassMap.fileName)
        try writeTextAtomically(parametersJSON, to: directory + "/" + Self.parametersFileName)
        try writeTextAtomically(report, to: reportPath)
        if parameters.dmarkers != nil {
            try writeTextAtomically(Self.featuresCSV(records), to: directory + "/" + Self.featuresFileName)
        }
    }

    /// `id` (the sample's flow image name, as the loader's Sample.id) and `DMarkers.columns`, one row
    /// per sample with D-Markers, numbers in Swift's shortest round-tripping form. Samples without
    /// them have no row (the report says why), so a fusion experiment on this folder stops with the
    /// feature file's named missing-sample error rather than training on made-up values.
    static func featuresCSV(_ records: [SampleRecord]) -> String {
        var text = (["id"] + DMarkers.columns).joined(separator: ",") + "\n"
        for r in records {
            guard let values = r.dmarkers else { continue }
            text += ([field(r.entry.id)] + values.map { "\($0)" }).joined(separator: ",") + "\n"
        }
        return text
    }

    /// RFC 4180 quoting where needed.
    static func field(_ text: String) -> String {
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
