import Dataset
import Foundation

/// Maps an annotation sheet's emotion words to the composite's classes, or excludes them. The
/// default is the 3-class composite's (positive = happiness; negative = sadness, disgust, contempt,
/// fear, anger; surprise = surprise; others and repression excluded). `coordinator preprocess`
/// writes the map it used next to its output (`class_map.csv`) and takes a replacement with
/// `--class-map FILE` in the same format: a CSV with columns `emotion,class`, where class is one
/// of the class names or `excluded`. Words are matched case-insensitively, ignoring spaces.
public struct EmotionClassMap: Equatable, Sendable {
    public static let fileName = "class_map.csv"
    public static let excludedMark = "excluded"

    public enum Lookup: Equatable {
        case label(Int)
        case excluded
        case unknown
    }

    public let classNames: [String]
    /// (emotion word, class index or nil for excluded), in file order.
    public let entries: [(emotion: String, label: Int?)]

    public static func == (a: EmotionClassMap, b: EmotionClassMap) -> Bool {
        a.classNames == b.classNames && a.entries.elementsEqual(b.entries) { $0.emotion == $1.emotion && $0.label == $1.label }
    }

    public init(classNames: [String], entries: [(emotion: String, label: Int?)]) {
        self.classNames = classNames
        self.entries = entries
    }

    /// The composite's map, including the SMIC sheet's own words (positive/negative/surprise).
    public static let standard = EmotionClassMap(classNames: LoadOptions.threeClassMER, entries: [
        ("happiness", 1), ("positive", 1),
        ("sadness", 0), ("disgust", 0), ("contempt", 0), ("fear", 0), ("anger", 0), ("negative", 0),
        ("surprise", 2),
        ("others", nil), ("repression", nil),
    ])

    static func key(_ word: String) -> String {
        word.lowercased().filter { !$0.isWhitespace }
    }

    public func lookup(_ emotion: String) -> Lookup {
        let k = Self.key(emotion)
        guard let entry = entries.first(where: { Self.key($0.emotion) == k }) else { return .unknown }
        return entry.label.map { .label($0) } ?? .excluded
    }

    /// Reads a map file; every row must name a known class or `excluded`.
    public static func read(path: String, classNames: [String] = LoadOptions.threeClassMER) throws -> EmotionClassMap {
        let table = try CSVTable.read(path: path)
        let emotionColumn = try table.requiredColumn("emotion"), classColumn = try table.requiredColumn("class")
        var entries: [(emotion: String, label: Int?)] = []
        var seen: [String: Int] = [:]
        for row in table.rows {
            let emotion = row.fields[emotionColumn].trimmingCharacters(in: .whitespaces)
            let name = row.fields[classColumn].trimmingCharacters(in: .whitespaces)
            if emotion.isEmpty { throw DatasetError(file: path, line: row.line, "empty emotion") }
            if let earlier = seen[key(emotion)] {
                throw DatasetError(file: path, line: row.line, "emotion '\(emotion)' is mapped twice (line \(earlier))")
            }
            seen[key(emotion)] = row.line
            if name.lowercased() == excludedMark {
                entries.append((emotion, nil))
            } else if let index = classNames.firstIndex(of: name) {
                entries.append((emotion, index))
            } else {
                throw DatasetError(file: path, line: row.line,
                                   "class '\(name)' is not one of \(classNames.joined(separator: ", ")) or \(excludedMark)")
            }
        }
        return EmotionClassMap(classNames: classNames, entries: entries)
    }

    /// The map as a CSV file that `read` accepts.
    public var csvText: String {
        "emotion,class\n" + entries.map { "\($0.emotion),\($0.label.map { classNames[$0] } ?? Self.excludedMark)\n" }.joined()
    }
}
