import Dataset
import Foundation

/// The raw annotation sheet, read and checked: which samples to preprocess, which the class map
/// excludes, and which rows are wrong (each an error naming the file, line and problem). Column
/// names follow the datasets' own sheets loosely (case, spaces and underscores are ignored):
/// subject|sub, sample|filename|filename_o|folder, onset|onset_frame, apex|apex_frame (optional),
/// offset|offset_frame (optional), emotion|estimated emotion|label, dataset (optional; else
/// `defaultDataset`). An apex or offset of "", "/", "-" or "-1" means "not annotated".
public struct PreprocessPlan: Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        public var line: Int
        public var dataset: String
        public var subject: String
        public var sample: String
        public var onset: Int
        public var apex: Int?
        public var offset: Int?
        public var emotion: String
        public var label: Int

        /// `<sub>_<sample> .png`: the sample's id in the composite layout.
        public var id: String { CompositeLayout.flowImageName(subject: subject, filename: sample) }
    }

    public struct Excluded: Sendable, Equatable {
        public var line: Int
        public var subject: String
        public var sample: String
        public var emotion: String
    }

    public let path: String
    public var entries: [Entry]
    public var excluded: [Excluded]
    /// Rows that cannot be preprocessed, with why.
    public var problems: [DatasetError]

    static let aliases: [String: [String]] = [
        "dataset": ["dataset"],
        "subject": ["subject", "sub"],
        "sample": ["sample", "filename", "filenameo", "folder"],
        "onset": ["onset", "onsetframe"],
        "apex": ["apex", "apexframe"],
        "offset": ["offset", "offsetframe"],
        "emotion": ["emotion", "estimatedemotion", "label"],
    ]

    static func normalised(_ header: String) -> String {
        header.lowercased().filter { $0.isLetter || $0.isNumber }
    }

    public static func read(path: String, classMap: EmotionClassMap, defaultDataset: String? = nil) throws -> PreprocessPlan {
        let table = try CSVTable.read(path: path)
        let header = table.header.map(normalised)
        func column(_ name: String, required: Bool) throws -> Int? {
            let index = header.firstIndex { aliases[name]!.contains($0) }
            if index == nil && required {
                throw DatasetError(file: path, line: 1,
                                   "no '\(name)' column (accepted names: \(aliases[name]!.joined(separator: ", ")); the header has: \(table.header.joined(separator: ", ")))")
            }
            return index
        }
        let datasetColumn = try column("dataset", required: defaultDataset == nil)
        let subjectColumn = try column("subject", required: true)!, sampleColumn = try column("sample", required: true)!
        let onsetColumn = try column("onset", required: true)!, emotionColumn = try column("emotion", required: true)!
        let apexColumn = try column("apex", required: false), offsetColumn = try column("offset", required: false)

        var plan = PreprocessPlan(path: path, entries: [], excluded: [], problems: [])
        var firstLine: [String: Int] = [:]
        for row in table.rows {
            func field(_ c: Int?) -> String { c.map { row.fields[$0].trimmingCharacters(in: .whitespaces) } ?? "" }
            func fail(_ problem: String) { plan.problems.append(DatasetError(file: path, line: row.line, problem)) }
            let subject = field(subjectColumn), sample = field(sampleColumn), emotion = field(emotionColumn)
            let dataset = datasetColumn.map { field($0) } ?? defaultDataset ?? ""
            if subject.isEmpty || sample.isEmpty || dataset.isEmpty {
                fail("empty \(subject.isEmpty ? "subject" : sample.isEmpty ? "sample" : "dataset") field")
                continue
            }
            let label: Int
            switch classMap.lookup(emotion) {
            case .label(let l): label = l
            case .excluded:
                plan.excluded.append(Excluded(line: row.line, subject: subject, sample: sample, emotion: emotion))
                continue
            case .unknown:
                fail("emotion '\(emotion)' is not in the class map (known: \(classMap.entries.map(\.emotion).joined(separator: ", "))); add it with --class-map")
                continue
            }
            guard let onset = Int(field(onsetColumn)), onset >= 0 else {
                fail("onset '\(field(onsetColumn))' is not a frame number")
                continue
            }
            func optionalFrame(_ c: Int?, _ name: String) -> (Int?, Bool) {
                let text = field(c)
                if ["", "/", "-", "-1", "na", "NA"].contains(text) { return (nil, true) }
                guard let n = Int(text), n >= 0 else {
                    fail("\(name) '\(text)' is not a frame number (leave it empty when not annotated)")
                    return (nil, false)
                }
                return (n, true)
            }
            let (apex, apexOK) = optionalFrame(apexColumn, "apex")
            let (offset0, offsetOK) = optionalFrame(offsetColumn, "offset")
            guard apexOK, offsetOK else { continue }
            // CASME II writes 0 for an unknown offset.
            let offset = offset0 == 0 ? nil : offset0
            if let apex, apex <= onset {
                fail("onset frame \(onset) is \(apex == onset ? "the apex frame itself" : "after the apex frame \(apex)"): no onset -> apex motion")
                continue
            }
            if let offset, offset <= onset {
                fail("onset frame \(onset) is after the offset frame \(offset)")
                continue
            }
            if let apex, let offset, apex > offset {
                fail("apex frame \(apex) is after the offset frame \(offset)")
                continue
            }
            let entry = Entry(line: row.line, dataset: dataset, subject: subject, sample: sample, onset: onset,
                              apex: apex, offset: offset, emotion: emotion, label: label)
            if let earlier = firstLine[entry.id] {
                fail("duplicate sample \(subject)/\(sample) (line \(earlier) already lists it)")
                continue
            }
            firstLine[entry.id] = row.line
            plan.entries.append(entry)
        }
        return plan
    }
}
