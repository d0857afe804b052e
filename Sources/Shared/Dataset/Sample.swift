/// One sample of a micro-expression dataset: what LOSO needs to know about it besides its input.
public struct Sample: Codable, Equatable, Sendable {
    /// Unique id: the flow image's file name, e.g. "sub01_EP02_01f .png".
    public var id: String
    /// The fold key under LOSO.
    public var subject: String
    /// Source dataset, e.g. "smic", "casme2", "samm".
    public var dataset: String
    public var label: Int
    /// The row's predefined partition, "train", "val" or "test" (an optional `split` column), used
    /// by `protocol: {split: column}`; nil when the data has no such column.
    public var split: String?
    /// The affected side of the face ("left", "right", "none") when the data gives it (face-image
    /// datasets' optional `side` column); kept for analysis, not used by training.
    public var side: String?
    public init(id: String, subject: String, dataset: String, label: Int, split: String? = nil, side: String? = nil) {
        self.split = split
        self.side = side
        self.id = id
        self.subject = subject
        self.dataset = dataset
        self.label = label
    }
}

/// The values a `split` column may hold, each read to its canonical name.
public enum SplitName {
    public static let train = "train", validation = "val", test = "test"
    /// "train"/"training", "val"/"valid"/"validation"/"dev", "test"/"testing" (case-insensitive); nil otherwise.
    public static func canonical(_ text: String) -> String? {
        switch text.trimmingCharacters(in: .whitespaces).lowercased() {
        case "train", "training": return train
        case "val", "valid", "validation", "dev": return validation
        case "test", "testing": return test
        default: return nil
        }
    }
}
