import DDAMFN
import Foundation
import HTNet
import Wire

/// OUT/fold-state/: the last saved state of every fold in training, so a resumed run continues a
/// fold from its last save point instead of from epoch 1.
///
/// A state is kept under its task's id and the digest of the exact assignment it was trained under
/// (model, training settings, seed keys, starting weights, train and test samples). A resume with
/// anything changed (`--force` after an edit, another dataset) computes another digest and starts the
/// fold afresh, so a state never carries one configuration's training into another's. A task's states
/// are removed once its result is journalled.
struct FoldStateStore {
    let directory: String
    let log: (String) -> Void

    init(runDirectory: String, log: @escaping (String) -> Void) {
        directory = (runDirectory as NSString).appendingPathComponent("fold-state")
        self.log = log
    }

    /// The digest of an assignment without any resume state: what a saved state must match.
    static func digest(of assignment: TaskAssignment) -> String {
        var plain = assignment
        plain.resumeState = []
        var h: UInt64 = 0xCBF2_9CE4_8422_2325   // FNV-1a over the encoded message
        for b in MessageCodec.encode(.assignment(plain)) { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return String(format: "%016llx", h)
    }

    /// Task ids hold '/' (variant/seed/fold) and variant names may hold anything: percent-encoded.
    private func prefix(_ taskID: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-_")
        return (taskID.addingPercentEncoding(withAllowedCharacters: allowed) ?? taskID) + "."
    }

    private func path(_ taskID: String, digest: String) -> String {
        (directory as NSString).appendingPathComponent(prefix(taskID) + digest + ".safetensors")
    }

    /// Writes a worker's upload (temporary file, then rename: a kill leaves the previous state whole).
    /// A state that cannot be written is logged, not fatal: the fold trains on and only loses the save point.
    func save(_ upload: FoldStateUpload, assignment: TaskAssignment) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try Data(upload.state).write(to: URL(fileURLWithPath: path(upload.taskID, digest: Self.digest(of: assignment))), options: .atomic)
        } catch {
            log("warning: cannot save the fold state of \(upload.taskID) after epoch \(upload.epoch) in \(directory): \(error.localizedDescription)")
        }
    }

    /// Whether a state of this very assignment is saved: such a task is handed out alone, to resume
    /// from it (bundled tasks restart from epoch 1).
    func hasState(for assignment: TaskAssignment) -> Bool {
        FileManager.default.fileExists(atPath: path(assignment.taskID, digest: Self.digest(of: assignment)))
    }

    /// The assignment with its saved state attached when one matches (else unchanged).
    func resuming(_ assignment: TaskAssignment) -> TaskAssignment {
        let file = path(assignment.taskID, digest: Self.digest(of: assignment))
        guard FileManager.default.fileExists(atPath: file) else { return assignment }
        do {
            let data = try Data(contentsOf: URL(fileURLWithPath: file))
            let epoch = assignment.ddamfn == nil ? try FoldState.decode(data, source: file).epoch
                : try DDAMFNFoldState.decode(data, source: file).epoch
            guard epoch < assignment.training.epochs else { return assignment }
            var resumed = assignment
            resumed.resumeState = [UInt8](data)
            log("\(assignment.taskID): continuing from its saved state after epoch \(epoch) (\(file))")
            return resumed
        } catch {
            log("warning: \(assignment.taskID) starts afresh: its saved state is unreadable (\(error))")
            return assignment
        }
    }

    /// At the start of a session: removes every file that is not the state of one of `remaining` under
    /// its current assignment: states of tasks journalled just before a kill, states saved under other
    /// settings, temporary files of an interrupted write.
    func prune(keeping remaining: [TaskAssignment]) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else { return }
        let wanted = Set(remaining.map { (path($0.taskID, digest: Self.digest(of: $0)) as NSString).lastPathComponent })
        for name in names where !wanted.contains(name) {
            try? fm.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
        }
        removeFolderIfEmpty()
    }

    /// Drops every saved state of a task (its result is journalled).
    func remove(_ taskID: String) {
        let fm = FileManager.default
        guard let names = try? fm.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(prefix(taskID)) {
            try? fm.removeItem(atPath: (directory as NSString).appendingPathComponent(name))
        }
        removeFolderIfEmpty()
    }

    /// A finished run leaves no empty fold-state/ behind. rmdir(2) removes only an empty folder, so a
    /// state written meanwhile is never lost (the next save creates the folder again).
    private func removeFolderIfEmpty() {
        _ = rmdir(directory)
    }
}
