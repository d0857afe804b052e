/// One sample of a micro-expression dataset: what LOSO needs to know about it besides its input.
public struct Sample: Codable, Equatable, Sendable {
    /// Unique id: the flow image's file name, e.g. "sub01_EP02_01f .png".
    public var id: String
    /// The fold key under LOSO.
    public var subject: String
    /// Source dataset, e.g. "smic", "casme2", "samm".
    public var dataset: String
    public var label: Int
    public init(id: String, subject: String, dataset: String, label: Int) {
        self.id = id
        self.subject = subject
        self.dataset = dataset
        self.label = label
    }
}
