import Foundation

/// Writes a safetensors file so that a reader (or a resumed run) sees either the complete new file
/// or nothing: the bytes go to a temporary file beside the target (`.<name>.partial`), are flushed to
/// disk (fsync), renamed over the target, and the folder is synced so the rename itself survives a
/// crash. Missing parent folders are created. Used for the checkpoints `run` keeps; any other
/// checkpoint (mid-fold fold state) can use it as it is.
public struct DurableSafeTensorsWriter {
    public init() {}

    /// Writes `file` (tensors plus its `__metadata__` string map) to `path`.
    public func write(_ file: SafeTensorsFile, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
            throw FileError(path: path, problem: "cannot create its folder: \(error.localizedDescription)")
        }
        let temporary = (folder as NSString).appendingPathComponent(".\(url.lastPathComponent).partial")
        let data = try file.encoded()
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw FileError(path: temporary, problem: "cannot create (\(String(cString: strerror(errno))))") }
        var written = 0
        let ok = data.withUnsafeBytes { raw -> Bool in
            while written < raw.count {
                let n = Foundation.write(fd, raw.baseAddress! + written, raw.count - written)
                if n <= 0 { return false }
                written += n
            }
            return fsync(fd) == 0
        }
        let reason = String(cString: strerror(errno))
        close(fd)
        guard ok else {
            unlink(temporary)
            throw FileError(path: temporary, problem: "write failed after \(written) of \(data.count) bytes (\(reason))")
        }
        guard rename(temporary, path) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(temporary)
            throw FileError(path: path, problem: "cannot rename the finished temporary file into place (\(why))")
        }
        let dir = open(folder, O_RDONLY)
        if dir >= 0 { fsync(dir); close(dir) }
    }
}
