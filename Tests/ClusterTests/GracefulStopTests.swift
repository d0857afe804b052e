import Dataset
import Foundation
import HTNet
import Preprocessing
import TestSupport
import XCTest
@testable import Coordination
@testable import Wire

/// A graceful stop (SIGTERM to mpirun, as Slurm or Ctrl-C sends it) must end every rank cleanly: a
/// worker stops its training thread and waits for it before exiting, instead of exiting under it
/// (which crashed inside OpenBLAS's exit handlers in 2 of 8 stops before).
final class GracefulStopTests: XCTestCase {
    func testACancelledRunnerStopsItsThreadAtTheNextStep() throws {
        let directory = try temporaryDirectory(self)
        try SyntheticComposite.generate(into: directory + "/data", seed: 3,
                                        configuration: .init(sources: [.init(name: "s", subjectPrefix: "s", subjects: 2, samples: 12,
                                                                             noise: 6, detectionRate: 1)]))
        let dataset = try CompositeLoader(directory: directory + "/data").load()
        let experiment = try ExperimentFile.parse(SlurmRequeueTests.experimentText.replacingOccurrences(of: "epochs: 600", with: "epochs: 100000"),
                                                  file: "long.yaml")
        let task = LOSOPlanner.tasks(experiment: experiment, subjects: dataset.samples.map(\.subject))[0]
        let runner = FoldTaskRunner(assignment: task.assignment)
        runner.start(dataset: dataset, worker: "test:1")
        while runner.takeProgress().isEmpty { usleep(1_000) }  // training for real
        XCTAssertFalse(runner.wait(seconds: 0))
        runner.cancel()
        XCTAssertTrue(runner.wait(seconds: 60), "the thread ends at its next step")
        guard case let .failure(failure)? = runner.outcome else { return XCTFail("expected a stopped task, got \(String(describing: runner.outcome))") }
        XCTAssertTrue(failure.message.hasPrefix("stopped during epoch "), failure.message)
    }

    func testGracefulStopsMidFoldEndEveryRankWithoutACrash() throws {
        try MPIJob.requireMPI()
        let directory = try temporaryDirectory(self)
        try SlurmRequeueTests.experimentText.replacingOccurrences(of: "epochs: 600", with: "epochs: 5000")
            .write(toFile: directory + "/long.yaml", atomically: true, encoding: .utf8)
        let trials = 3
        for trial in 1...trials {
            let out = "stop\(trial)"
            let log = directory + "/\(out).log"
            let job = try MPIJob.start(["run", "long.yaml", "--out", out, "--threads", "1"], workers: 2, in: directory, log: log)
            // Stop once both workers are inside a fold (their first epoch progress has reached the journal's
            // progress line), at a different moment each trial.
            var sawTraining = false
            while job.isRunning && !sawTraining {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                sawTraining = text.components(separatedBy: " epoch ").count > 2
                usleep(20_000)
            }
            usleep(useconds_t(50_000 * trial))
            XCTAssertTrue(job.isRunning, "trial \(trial): the job ended before it could be stopped")
            kill(job.processIdentifier, SIGTERM)
            job.waitUntilExit()
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            for crash in ["Segmentation fault", "signal 11", "SIGSEGV", "core dumped", "exited on signal"] {
                XCTAssertFalse(output.contains(crash), "trial \(trial): \(crash):\n\(output)")
            }
            XCTAssertTrue(output.contains("stopped by SIGTERM"), "trial \(trial): the coordinator saw the stop:\n\(output)")
        }
    }
}
