/// A row the loader left out because the user allowed skipping, with the error that caused it,
/// so a report can say exactly what the results were computed without.
public struct SkippedSample: Codable, Equatable, Sendable, CustomStringConvertible {
    /// The flow image name the row describes (empty when the row did not get that far).
    public var id: String
    /// Subject of the row, when the annotation CSV gave one.
    public var subject: String?
    public var error: DatasetError

    public init(id: String, subject: String?, error: DatasetError) {
        self.id = id
        self.subject = subject
        self.error = error
    }

    public var description: String { "skipped '\(id)': \(error)" }
}

extension DatasetError: Codable {
    private enum CodingKeys: String, CodingKey { case file, line, problem }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(file: try c.decode(String.self, forKey: .file),
                  line: try c.decodeIfPresent(Int.self, forKey: .line),
                  try c.decode(String.self, forKey: .problem))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(file, forKey: .file)
        try c.encodeIfPresent(line, forKey: .line)
        try c.encode(problem, forKey: .problem)
    }
}
