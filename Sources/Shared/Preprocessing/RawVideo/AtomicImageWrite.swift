import Dataset
import Foundation

extension Image8 {
    /// Writes through a temporary file in the same folder and renames it into place, so an
    /// interrupted run never leaves a half-written image that a re-run would take as done.
    func writeAtomically(path: String) throws {
        let url = URL(fileURLWithPath: path)
        let ext = url.pathExtension.isEmpty ? "png" : url.pathExtension
        let temporary = url.deletingLastPathComponent().path + "/.tmp-\(UUID().uuidString).\(ext)"
        try write(path: temporary)
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporary)
            throw DatasetError(file: path, "cannot move the written image into place: \(reason)")
        }
    }
}

/// Writes text through a temporary file and a rename (Foundation's atomic write).
func writeTextAtomically(_ text: String, to path: String) throws {
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw DatasetError(file: path, "cannot write: \(error.localizedDescription)")
    }
}
