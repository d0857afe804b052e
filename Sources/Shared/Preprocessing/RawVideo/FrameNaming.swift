import Dataset
/// How a dataset names the frames inside a sample folder: a template (`img{n}.jpg`) or "numbered"
/// (any image file whose name ends in a number, e.g. SMIC's `image000123.bmp`; the number is the
/// last run of digits). The defaults follow the datasets as distributed; any can be overridden.
public enum FrameNaming: Codable, Equatable, Sendable, CustomStringConvertible {
    case template(NameTemplate)
    case numbered

    /// CASME II `img46.jpg`, SAMM `006_05562.jpg`, SMIC and anything else: numbered files.
    public static func defaultFor(dataset: String) -> FrameNaming {
        let key = dataset.lowercased().filter { $0.isLetter || $0.isNumber }
        if key.hasPrefix("casme2") || key.hasPrefix("casmeii") { return .template(try! NameTemplate("img{n}.jpg")) }
        if key.hasPrefix("samm") { return .template(try! NameTemplate("{sub:3}_{n:5}.jpg")) }
        return .numbered
    }

    /// "numbered" or a template.
    public init(parsing text: String) throws {
        self = text == "numbered" ? .numbered : .template(try NameTemplate(text))
    }

    public var description: String {
        switch self {
        case .numbered: return "numbered"
        case .template(let t): return t.text
        }
    }

    static let imageExtensions: Set<String> = ["jpg", "jpeg", "png", "bmp", "tif", "tiff", "webp"]

    /// The frame number a "numbered" file name carries, or nil when it is no image or has no digits.
    static func frameNumber(fileName: String) -> Int? {
        guard let dot = fileName.lastIndex(of: "."),
              imageExtensions.contains(fileName[fileName.index(after: dot)...].lowercased()) else { return nil }
        let stem = fileName[..<dot]
        guard let last = stem.lastIndex(where: \.isNumber) else { return nil }
        var first = last
        while first > stem.startIndex, stem[stem.index(before: first)].isNumber { first = stem.index(before: first) }
        return Int(stem[first...last])
    }
}
