import ArgumentParser
import Foundation

extension ParsableCommand {
    /// Parses and runs the command like `main()`, but every failure is printed to stderr in one style,
    /// `error: <message>` (ArgumentParser's own prefix is "Error:", the project's messages use
    /// "error:"), followed by the usage for mistakes in the command line. --help and --version print as
    /// usual. Exit status: 64 (EX_USAGE) for a bad command line, 1 for a failure while running.
    public static func mainWithUniformErrors(_ arguments: [String]? = nil) -> Never {
        do {
            var command = try parseAsRoot(arguments)
            try command.run()
            Foundation.exit(0)
        } catch {
            let code = exitCode(for: error)
            if code == .success { exit(withError: error) }
            FileHandle.standardError.write(Data((uniformErrorText(fullMessage(for: error)) + "\n").utf8))
            Foundation.exit(code.rawValue)
        }
    }
}

/// Rewrites ArgumentParser's "Error: " prefix to the project's "error: ", adding it when missing.
public func uniformErrorText(_ message: String) -> String {
    var text = message
    if text.hasPrefix("Error: ") { text = "error: " + text.dropFirst("Error: ".count) }
    if !text.hasPrefix("error: ") { text = "error: " + text }
    return text.hasSuffix("\n") ? String(text.dropLast()) : text
}
