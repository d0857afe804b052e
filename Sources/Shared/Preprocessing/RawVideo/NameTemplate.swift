import Dataset
/// A file or folder name with placeholders, so each dataset's own naming can be described instead
/// of renamed: `{n}` the frame number, `{sub}` the subject, `{sample}` the sample folder,
/// `{dataset}` the dataset; `{n:5}` (any placeholder) pads a numeric value with zeros to 5 digits.
/// Examples: CASME II `img{n}.jpg`, SAMM `{sub:3}_{n:5}.jpg`, CASME II folders `sub{sub:2}/{sample}`.
public struct NameTemplate: Codable, Equatable, Sendable, CustomStringConvertible {
    public let text: String

    public init(_ text: String) throws {
        var depth = 0
        for ch in text {
            if ch == "{" { depth += 1 }
            if ch == "}" { depth -= 1 }
            if depth < 0 || depth > 1 { throw DatasetError(file: "name template '\(text)'", "unbalanced braces") }
        }
        if depth != 0 { throw DatasetError(file: "name template '\(text)'", "unbalanced braces") }
        self.text = text
    }

    public var description: String { text }

    /// The names this template uses, e.g. ["sub", "n"].
    public var placeholders: [String] {
        var names: [String] = []
        var current: String?
        for ch in text {
            if ch == "{" { current = "" } else if ch == "}" {
                if let c = current { names.append(String(c.split(separator: ":").first ?? "")) }
                current = nil
            } else if current != nil { current!.append(ch) }
        }
        return names
    }

    /// The name with every placeholder replaced; an unknown placeholder is an error naming it.
    public func expand(_ values: [String: String]) throws -> String {
        var out = ""
        var current: String?
        for ch in text {
            if ch == "{" { current = "" } else if ch == "}", let token = current {
                let parts = token.split(separator: ":", maxSplits: 1).map(String.init)
                guard let name = parts.first, let value = values[name] else {
                    throw DatasetError(file: "name template '\(text)'",
                                       "unknown placeholder {\(token)}: use {n}, {sub}, {sample} or {dataset}")
                }
                if parts.count == 2, let width = Int(parts[1]), let number = Int(value), number >= 0 {
                    let digits = String(number)
                    out += String(repeating: "0", count: max(0, width - digits.count)) + digits
                } else {
                    out += value
                }
                current = nil
            } else if current != nil {
                current!.append(ch)
            } else {
                out.append(ch)
            }
        }
        return out
    }
}
