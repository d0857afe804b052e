import Foundation
import Wire

/// Appends records to OUT/journal.jsonl, one JSON line each, and syncs after every line: a finished
/// task is on disk before the next one is handed out, and a crash can tear at most the last line.
public final class JournalWriter {
    public let path: String
    private let fd: Int32
    private let encoder: JSONEncoder

    /// Opens (creating if needed) the journal for appending. A torn last line left by a crash is
    /// moved to `journal.jsonl.torn` and cut off, so new lines start on a line of their own; the
    /// returned writer's `repairedTornLine` says whether that happened.
    public init(path: String) throws {
        self.path = path
        encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ClusterError.journal("cannot open \(path): \(String(cString: strerror(errno)))") }
        self.fd = fd
        repairedTornLine = try JournalWriter.cutTornTail(fd: fd, path: path)
    }

    public private(set) var repairedTornLine: Int?

    deinit { close(fd) }

    public func append<T: Encodable>(_ record: T) throws {
        var line = try encoder.encode(record)
        line.append(UInt8(ascii: "\n"))
        // A write that fails part-way (a full disk) is cut back off, so the journal never holds half a
        // record written by a process that is still running.
        let before = lseek(fd, 0, SEEK_END)
        try line.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Foundation.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    let problem = String(cString: strerror(errno))
                    let restored = before >= 0 && ftruncate(fd, before) == 0
                    throw ClusterError.journal("cannot append to \(path): \(problem)"
                                               + (restored ? " (the journal is left whole, as it was before this record; free space and --resume)" : ""))
                }
                offset += n
            }
        }
        guard fsync(fd) == 0 else { throw ClusterError.journal("cannot sync \(path): \(String(cString: strerror(errno)))") }
    }

    /// Returns the byte length of the torn tail it removed, or nil when the file ended cleanly.
    private static func cutTornTail(fd: Int32, path: String) throws -> Int? {
        let size = lseek(fd, 0, SEEK_END)
        guard size > 0 else { return nil }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard data.last != UInt8(ascii: "\n") else { return nil }
        let keep = (data.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 }) ?? 0
        let torn = data[keep...]
        let tornPath = path + ".torn"
        if let handle = FileHandle(forWritingAtPath: tornPath) ?? {
            _ = FileManager.default.createFile(atPath: tornPath, contents: nil)
            return FileHandle(forWritingAtPath: tornPath)
        }() {
            handle.seekToEndOfFile()
            handle.write(Data(torn) + Data("\n".utf8))
            handle.synchronizeFile()
            handle.closeFile()
        }
        guard ftruncate(fd, off_t(keep)) == 0, fsync(fd) == 0 else {
            throw ClusterError.journal("cannot cut the torn last line of \(path): \(String(cString: strerror(errno)))")
        }
        return torn.count
    }
}
