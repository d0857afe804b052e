import Foundation
import Wire

/// An exclusive advisory lock on a run folder (OUT/.lock, flock), held for the run's whole life, so two
/// coordinators can never append to the same journal. The kernel drops it when the process ends,
/// however it ends, so a killed run leaves nothing stale behind; the file only names the last holder.
public final class RunLock {
    public let path: String
    private let fd: Int32

    /// Takes the lock on `directory` (created if needed) or throws, naming the holder.
    public init(directory: String) throws {
        do { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) } catch {
            throw ClusterError.outDirectory("cannot create \(directory): \(error.localizedDescription)")
        }
        path = (directory as NSString).appendingPathComponent(".lock")
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw ClusterError.outDirectory("cannot open the run lock \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(fd)
            if busy {
                throw ClusterError.outDirectory("\(directory) is in use by another coordinator (\(holder.isEmpty ? "holder unknown" : holder); "
                                                + "lock \(path)); wait for it to end, or choose another --out")
            }
            throw ClusterError.outDirectory("cannot lock \(path): \(String(cString: strerror(errno)))")
        }
        self.fd = fd
        let me = "pid \(getpid()) on \(ProcessInfo.processInfo.hostName) since \(RunDirectory.timestamp())\n"
        _ = ftruncate(fd, 0)
        _ = me.withCString { pwrite(fd, $0, strlen($0), 0) }
    }

    deinit { close(fd) }
}
