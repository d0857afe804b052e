/// The one error type of the dataset module. Every message names the file, the CSV line when there
/// is one (1-based, the header is line 1), and the problem, so a researcher can fix their data
/// without reading our code.
public struct DatasetError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file (or folder) at fault, as the loader resolved it.
    public let file: String
    /// 1-based line number in a CSV file, when the problem belongs to one row.
    public let line: Int?
    public let problem: String

    public init(file: String, line: Int? = nil, _ problem: String) {
        self.file = file
        self.line = line
        self.problem = problem
    }

    /// `file:line: problem`, the shape compilers use, so editors and terminals can jump to it.
    public var description: String {
        if let line { return "\(file):\(line): \(problem)" }
        return "\(file): \(problem)"
    }
}
