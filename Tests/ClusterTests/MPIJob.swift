import Foundation
@testable import Coordination
import XCTest

/// Runs the built `coordinator` and `worker` executables under mpirun for the end-to-end tests.
struct MPIJob {
    /// The build's bin folder: where the test bundle itself lives.
    static let bin: URL = {
        let me = URL(fileURLWithPath: CommandLine.arguments.first { $0.hasSuffix(".xctest") } ?? CommandLine.arguments[0])
        return me.deletingLastPathComponent()
    }()

    static var coordinator: String { bin.appendingPathComponent("coordinator").path }
    static var worker: String { bin.appendingPathComponent("worker").path }

    static let mpirun: String? = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }
        ?? (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
            .map { "\($0)/mpirun" }.first { FileManager.default.isExecutableFile(atPath: $0) }

    static var isRoot: Bool { getuid() == 0 }

    /// Skips the calling test when the job cannot run here, saying why.
    static func requireMPI() throws {
        guard mpirun != nil else { throw XCTSkip("mpirun not found: install openmpi-bin to run the end-to-end cluster tests") }
        for exe in [coordinator, worker] where !FileManager.default.isExecutableFile(atPath: exe) {
            throw XCTSkip("\(exe) not built (build the package before testing)")
        }
    }

    static var environment: [String: String] {
        var env = ProcessInfo.processInfo.environment
        if isRoot {
            env["OMPI_ALLOW_RUN_AS_ROOT"] = "1"
            env["OMPI_ALLOW_RUN_AS_ROOT_CONFIRM"] = "1"
        }
        return env
    }

    struct Outcome {
        var status: Int32
        var output: String
    }

    /// Starts `executable ARGS` in `directory` with stdout and stderr to the file `log`.
    static func launch(_ executable: String, _ arguments: [String], in directory: String,
                       environment: [String: String] = environment, log: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.environment = environment
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    /// Waits for a process `launch` started and collects its status and the log's text.
    static func finish(_ process: Process, log: String) -> Outcome {
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    /// `mpirun -np 1 coordinator ARGS : -np WORKERS worker` (plus `workerPrefix`, e.g. env VAR=1).
    static func start(_ coordinatorArguments: [String], workers: Int, workerPrefix: [String] = [],
                      in directory: String, log: String) throws -> Process {
        try launch(mpirun!, ["--oversubscribe", "--bind-to", "none", "-np", "1", coordinator] + coordinatorArguments
                       + [":", "-np", "\(workers)"] + workerPrefix + [worker], in: directory, log: log)
    }

    /// `mpirun -np 1 coordinator ARGS : -np 1 worker GROUP0 : -np 1 worker GROUP1 ...`: workers of
    /// different options (e.g. `--bundle 4` beside a one-task worker) in one job.
    static func start(_ coordinatorArguments: [String], workerArguments: [[String]], in directory: String, log: String) throws -> Process {
        try launch(mpirun!, ["--oversubscribe", "--bind-to", "none", "-np", "1", coordinator] + coordinatorArguments
                       + workerArguments.flatMap { [":", "-np", "1", worker] + $0 }, in: directory, log: log)
    }

    static func run(_ coordinatorArguments: [String], workerArguments: [[String]], in directory: String) throws -> Outcome {
        let log = directory + "/mpirun-\(UUID().uuidString.prefix(8)).log"
        return finish(try start(coordinatorArguments, workerArguments: workerArguments, in: directory, log: log), log: log)
    }

    static func run(_ coordinatorArguments: [String], workers: Int, workerPrefix: [String] = [],
                    in directory: String) throws -> Outcome {
        let log = directory + "/mpirun-\(UUID().uuidString.prefix(8)).log"
        return finish(try start(coordinatorArguments, workers: workers, workerPrefix: workerPrefix, in: directory, log: log), log: log)
    }

    /// Runs a program directly (no mpirun), capturing its output.
    static func runDirect(_ executable: String, _ arguments: [String], in directory: String,
                          environment extra: [String: String] = [:]) throws -> Outcome {
        let log = directory + "/direct-\(UUID().uuidString.prefix(8)).log"
        return finish(try launch(executable, arguments, in: directory, environment: environment.merging(extra) { $1 }, log: log), log: log)
    }

    /// Whether mpirun itself crashed while tearing the job down (Open MPI 4.1's PMIx server finalize
    /// after an aborted job with a killed rank): a defect of mpirun, not of the ranks' work.
    static func crashedInTeardown(_ output: String) -> Bool {
        output.contains("Segmentation fault") && output.contains("PMIx_server_finalize")
    }

    /// Whether `pid` is still running: false once it has exited, even while its parent has not yet
    /// reaped it (a zombie, state Z in /proc).
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return false }
        return !stat[stat.index(close, offsetBy: 2)...].hasPrefix("Z")
    }

    /// The process named `wanted` whose parent is `parent` (from /proc), if it is running.
    static func childPID(of parent: Int32, named wanted: String) -> Int32? {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for entry in entries {
            guard let pid = Int32(entry),
                  let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let open = stat.firstIndex(of: "("), let close = stat.lastIndex(of: ")") else { continue }
            let name = stat[stat.index(after: open)..<close]
            let fields = stat[stat.index(close, offsetBy: 2)...].split(separator: " ")
            if name == wanted, fields.count > 1, Int32(fields[1]) == parent { return pid }
        }
        return nil
    }
}

/// What the run tests share besides starting jobs: a scratch folder and a run's results as bytes.
extension MPIJob {
    /// A fresh folder under the temporary directory holding `files` (name -> text); tests remove it.
    static func scratch(_ prefix: String, files: [String: String]) throws -> String {
        let directory = NSTemporaryDirectory() + "\(prefix)-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: directory + "/" + name, atomically: true, encoding: .utf8) }
        return directory
    }

    /// Both epoch rules' predictions of the run in `out`, from its journal alone, as canonical JSON:
    /// equal bytes mean equal results.
    static func predictions(out: String) throws -> Data {
        let run = try JournalReader.runRecord(try JournalReader.read(path: out + "/journal.jsonl"))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return try encoder.encode([run.rows, run.alternateRows])
    }

    /// Waits at most `seconds` for a job with a SIGSTOPped worker (`frozen`) to end: the frozen worker
    /// is SIGKILLed once `release()` says the coordinator is done with it (a stopped process does not
    /// act on mpirun's SIGTERM, so it would keep mpirun from ending), and a job still running at the
    /// deadline is killed. True when the job hung.
    static func awaitEnd(of job: Process, frozen: Int32?, within seconds: Double, release: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var released = false
        while job.isRunning && Date() < deadline {
            if !released, let frozen, release() {
                kill(frozen, SIGKILL)
                released = true
            }
            usleep(50_000)
        }
        let hung = job.isRunning
        if hung { kill(job.processIdentifier, SIGKILL); job.waitUntilExit() }
        if let frozen { kill(frozen, SIGKILL) }
        return hung
    }

    /// A predictions.csv's header and its lines of one epoch rule (the second column).
    static func predictionLines(_ path: String, selection: String) throws -> [String] {
        let all = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init)
        return [all[0]] + all.dropFirst().filter { $0.split(separator: ",")[1] == selection }
    }

    /// Waits (no time limit: the job ends on its own) until the run in `job` has journalled a task,
    /// then freezes the coordinator (no more journalling or handing out), SIGKILLs a worker and lets
    /// the coordinator go on to meet the dead worker. False when the job ended first.
    static func killAWorkerAfterTheFirstJournalledTask(_ job: Process, journal journalPath: String) -> Bool {
        var coordinator: Int32?, worker: Int32?
        while job.isRunning {
            // Find the ranks first (they start long before the first task ends), then watch cheaply.
            guard let c = coordinator ?? childPID(of: job.processIdentifier, named: "coordinator"),
                  let w = worker ?? childPID(of: job.processIdentifier, named: "worker") else { usleep(5_000); continue }
            coordinator = c
            worker = w
            guard let handle = FileHandle(forReadingAtPath: journalPath),
                  String(decoding: handle.readDataToEndOfFile(), as: UTF8.self).contains("\"type\":\"task\"") else { usleep(1_000); continue }
            kill(c, SIGSTOP)
            kill(w, SIGKILL)
            kill(c, SIGCONT)
            return true
        }
        return false
    }
}
