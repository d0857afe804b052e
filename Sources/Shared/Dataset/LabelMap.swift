/// Maps the label text of a data set's annotation rows (a word such as "happiness", a grade such as
/// "IV" or "4") to an index into the experiment's class list, so one folder can be read as a
/// 6-grade task or as a 3-class one without rewriting its CSV. Lookup is exact first, then
/// case-insensitive with spaces ignored; a label the map does not name is an error for the loader.
public struct LabelMap: Codable, Equatable, Sendable {
    /// Label text -> class index (0..<classCount).
    public var entries: [String: Int]
    /// Where the map was read from (for messages and reports); nil when written inline.
    public var file: String?

    public init(entries: [String: Int], file: String? = nil) {
        self.entries = entries
        self.file = file
    }

    public static func key(_ text: String) -> String { text.lowercased().filter { !$0.isWhitespace } }

    public func classIndex(of label: String) -> Int? {
        if let exact = entries[label] { return exact }
        let k = Self.key(label)
        return entries.first { Self.key($0.key) == k }?.value
    }
}
