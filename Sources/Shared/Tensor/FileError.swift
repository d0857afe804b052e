/// A file that cannot be read, written or used as asked, named with the problem: every saved-model
/// file (safetensors, checkpoints, fold states, starting weights, images written from them) reports
/// through this one type, so a message always reads "PATH: PROBLEM" and a caller that already holds
/// one passes it on instead of wrapping it again.
public struct FileError: Error, CustomStringConvertible, Equatable, Sendable {
    public let path: String
    public let problem: String
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }
    public var description: String { "\(path): \(problem)" }
}
