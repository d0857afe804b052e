import ArgumentParser
import Foundation

/// A command's text output (`--out FILE`): written atomically, so an existing file is replaced whole
/// or not at all, with missing parent folders created as `run` creates its OUT folder; a failure
/// names the path.
enum OutputFile {
    static func write(_ text: String, to path: String) throws {
        do {
            let url = URL(fileURLWithPath: path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        } catch {
            throw ValidationError("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
