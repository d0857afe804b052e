import CUDABackend
import Foundation
import HTNet
import XCTest
@testable import Coordination
@testable import Wire

/// Bundled claiming: the scheduler's bundles (which tasks share one, how many, what a lost bundle
/// gives back), the coordinator's bundling rule, and whole jobs where a bundling worker and a
/// one-task worker share the queue and the results are those of one worker taking one task at a time.
final class BundledClaimingTests: XCTestCase {
    // MARK: scheduler

    /// Two variants of different models, two seeds, four folds: 16 tasks, the 8 `big` ones first.
    private func plannedTasks() -> [PlannedTask] {
        let experiment = Experiment(
            name: "bundles", dataset: .init(kind: .synthetic, seed: 1), evaluation: .init(kind: .loso), seeds: [1, 2], selection: .final,
            variants: [ExperimentVariant(name: "small", model: HTNetConfig(dim: 8, heads: 2, blockRepeats: [1, 1, 1]),
                                         training: TrainingConfig(epochs: 2)),
                       ExperimentVariant(name: "big", model: HTNetConfig(dim: 32, heads: 2, blockRepeats: [1, 1, 1]),
                                         training: TrainingConfig(epochs: 4))])
        return LOSOPlanner.tasks(experiment: experiment, subjects: ["d", "c", "b", "a", "d", "c", "b", "d", "c", "d"])
    }

    func testABundleHoldsTasksOfOneModelAndTrainingInQueueOrderUpToTheCapacity() {
        let tasks = plannedTasks()
        XCTAssertEqual(tasks.prefix(8).map(\.variant.name), Array(repeating: "big", count: 8))
        var s = TaskScheduler(tasks: tasks, alreadyDone: 0)
        let first = s.nextBundle(for: "gpu", capacity: { _ in 5 }, bundlable: { _ in true })
        XCTAssertEqual(first.map(\.id), tasks.prefix(5).map(\.id), "the head and the next compatible tasks, in queue order")
        XCTAssertEqual(s.running["gpu"]?.count, 5)
        XCTAssertEqual(s.nextBundle(for: "gpu", capacity: { _ in 5 }, bundlable: { _ in true }), [], "a busy worker gets nothing more")
        // A capacity above what is compatible: the 3 big tasks left, never a small one.
        let second = s.nextBundle(for: "gpu2", capacity: { _ in 100 }, bundlable: { _ in true })
        XCTAssertEqual(second.map(\.id), tasks[5..<8].map(\.id))
        // A one-task worker beside them takes the head alone.
        XCTAssertEqual(s.nextTask(for: "cpu")?.id, tasks[8].id)
        XCTAssertTrue(s.progressLine(workers: ["gpu", "cpu"]).contains("gpu 5 tasks (\(tasks[0].id) ...) epoch 0/4"))
    }

    func testTasksThatCannotBeBundledGoAloneAndPassedOverTasksKeepTheirPlaces() {
        let tasks = plannedTasks()
        var s = TaskScheduler(tasks: tasks, alreadyDone: 0)
        // The head cannot be bundled (say, it has a fold state to resume): it goes alone.
        let head = s.nextBundle(for: "w", capacity: { _ in 4 }, bundlable: { $0.id != tasks[0].id })
        XCTAssertEqual(head.map(\.id), [tasks[0].id])
        s.finish(worker: "w", taskID: tasks[0].id, succeeded: true)
        // tasks[2] cannot: the bundle skips it, and it stays first in the queue.
        let bundle = s.nextBundle(for: "w", capacity: { _ in 3 }, bundlable: { $0.id != tasks[2].id })
        XCTAssertEqual(bundle.map(\.id), [tasks[1].id, tasks[3].id, tasks[4].id])
        XCTAssertEqual(s.pending.map(\.id), [tasks[2].id] + tasks[5...].map(\.id))
    }

    func testALostBundleGoesBackWholeAndItsFinishedTasksStayDone() {
        let tasks = plannedTasks()
        var s = TaskScheduler(tasks: tasks, alreadyDone: 0)
        let bundle = s.nextBundle(for: "gpu", capacity: { _ in 4 }, bundlable: { _ in true })
        XCTAssertEqual(bundle.count, 4)
        XCTAssertNotNil(s.nextTask(for: "cpu"))
        s.progress(worker: "gpu", taskID: bundle[2].id, epoch: 3)
        XCTAssertEqual(s.running["gpu"]?[2].epoch, 3)
        XCTAssertEqual(s.finish(worker: "gpu", taskID: bundle[1].id, succeeded: true)?.id, bundle[1].id)
        XCTAssertNotNil(s.running["gpu"], "the worker is busy until its bundle's last task ends")
        XCTAssertNil(s.finish(worker: "gpu", taskID: tasks[12].id, succeeded: true), "not its task")
        s.requeue(worker: "gpu")
        XCTAssertNil(s.running["gpu"])
        XCTAssertEqual(s.done, 1)
        XCTAssertEqual(s.pending.prefix(3).map(\.id), [bundle[0].id, bundle[2].id, bundle[3].id], "the unfinished three, at the front, in order")
        XCTAssertEqual(s.pending.count + s.done + 1, tasks.count, "nothing lost, nothing twice (one task is with cpu)")
        let again = s.nextBundle(for: "gpu2", capacity: { _ in 8 }, bundlable: { _ in true })
        XCTAssertEqual(Array(again.prefix(3).map(\.id)), [bundle[0].id, bundle[2].id, bundle[3].id])
        XCTAssertFalse(again.map(\.id).contains(bundle[1].id))
    }

    func testTheBundlingRuleRefusesWhatAFoldBatchDoesNotTrainExactly() {
        let plain = plannedTasks()[0]
        XCTAssertNil(TaskBundling.refusal(plain))
        var decayed = plain
        decayed.variant.training.weightDecay = 0.01
        XCTAssertEqual(TaskBundling.refusal(decayed), "weight_decay (AdamW) is not in fold batches")
        var scheduled = plain
        scheduled.variant.training.lrSchedule = LearningRateSchedule(kind: .cosine)
        XCTAssertNotNil(TaskBundling.refusal(scheduled))
        var validated = plain
        validated.fold.validationIndices = [0]
        XCTAssertEqual(TaskBundling.refusal(validated), "an inner validation set")
        var kept = plain
        kept.returnedWeights = .finalAndBestTestEpoch
        XCTAssertNotNil(TaskBundling.refusal(kept))
        kept.returnedWeights = .final
        XCTAssertNil(TaskBundling.refusal(kept), "final weights come back from a bundle too")
        XCTAssertFalse(TaskScheduler.shareAFoldBatch(plain, decayed), "another training setup, another batch")
    }

    func testCapacityIsTheBundleLimitOnTheCPUAndWhatFitsInMemoryOnAGPU() throws {
        let task = plannedTasks()[0]
        var lines: [String] = []
        let store = FoldStateStore(runDirectory: NSTemporaryDirectory() + "bundling-\(UUID().uuidString.prefix(8))", log: { _ in })
        XCTAssertEqual(TaskBundling(worker: WorkerReady(worker: "h:1", threads: 1), log: { lines.append($0) }).capacity(for: task), 1)
        let cpu = TaskBundling(worker: WorkerReady(worker: "h:2", threads: 1, bundleLimit: 4), log: { lines.append($0) })
        XCTAssertEqual(cpu.capacity(for: task), 4)
        XCTAssertTrue(cpu.bundlable(task, foldStates: store))
        let memory = try FoldBatchMemory(model: task.variant.model, stackedBatch: task.variant.training.batchSize)
        let parameters = ParameterLayout(config: task.variant.model, head: .classifier).count
        XCTAssertGreaterThan(memory.bytesPerMember, 4 * 4 * parameters, "parameters, gradients and both moments, plus activations")
        // A small model: a tenth of the free memory is under 512 MiB, so the reserve is 512 MiB.
        let free = 20 * memory.bytesPerMember + memory.fixedBytes + (512 << 20)
        let gpu = TaskBundling(worker: WorkerReady(worker: "g:3", threads: 1, device: "cuda:0 Test GPU", bundleLimit: 1 << 20, memoryBytes: free),
                               log: { lines.append($0) })
        let fits = gpu.capacity(for: task)
        XCTAssertEqual(fits, memory.members(fitting: free))
        XCTAssertEqual(fits, 20, "free memory less the reserve and the fixed part, in whole members")
        XCTAssertTrue(lines.last!.contains("g:3 (cuda:0 Test GPU") && lines.last!.contains("bundles of up to \(fits) task(s)"), lines.last!)
        let tiny = TaskBundling(worker: WorkerReady(worker: "g:4", threads: 1, device: "cuda:0 Test GPU", bundleLimit: 8, memoryBytes: 1 << 20),
                                log: { _ in })
        XCTAssertEqual(tiny.capacity(for: task), 0)
        XCTAssertFalse(tiny.bundlable(task, foldStates: store), "nothing fits: the task goes alone")
    }

    // MARK: wire

    func testBundlesAndDevicesTravel() throws {
        let a = TaskAssignment(taskID: "v/1/s01", model: HTNetConfig(dim: 8, heads: 2), training: TrainingConfig(epochs: 2),
                               seedKeys: [1, 2, 3, 4], trainIndices: [0, 1, 2], testIndices: [3])
        var b = a
        b.taskID = "v/1/s02"
        b.returnedWeights = .final
        b.initialParameters = [1, 2, 3]
        for message in [ClusterMessage.bundle([a, b]), .bundle([b]),
                        .ready(WorkerReady(worker: "g:1", threads: 2, device: "cuda:1 NVIDIA H200", bundleLimit: 68, memoryBytes: 1 << 37))] {
            XCTAssertEqual(try MessageCodec.decode(MessageCodec.encode(message)), message)
        }
        var result = TaskResult(taskID: "v/1/s01", worker: "g:1",
                                outcome: .init(epochs: [], finalLogits: [[1, 2]], bestTestEpoch: 1, bestTestLogits: [[1, 2]]),
                                trainSeconds: 1, prepareSeconds: 0)
        result.device = "cuda:0 NVIDIA H200"
        result.bundleSize = 17
        XCTAssertEqual(try MessageCodec.decode(MessageCodec.encode(.result(result))), .result(result))
        XCTAssertEqual(ClusterVersion.wireProtocol, 9)
    }

    // MARK: whole jobs

    /// 2 variants x 2 seeds x 6 folds; variant c has an lr_schedule, which fold batches do not train:
    /// its tasks go alone even to a bundling worker.
    static let experimentText = """
        name: bundles
        dataset: {source: synthetic, seed: 5, subjects: 2, samples: 12}
        protocol: loso
        seeds: [1, 2]
        model: {dim: 8, heads: 2, block_repeats: [1, 1, 1]}
        training: {epochs: 3, batch_size: 16, lr: 0.001}
        variants:
          - {name: b, training: {loss: weighted-cross-entropy, order: shuffle, label_noise: 0.1}}
          - {name: c, training: {lr_schedule: {kind: cosine, warmup_epochs: 1}}}
        """

    func testABundlingWorkerAndAOneTaskWorkerGiveTheResultsOfOneWorkerAlone() throws {
        try MPIJob.requireMPI()
        let directory = try MPIJob.scratch("bundles-e2e", files: ["bundles.yaml": Self.experimentText])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        func run(_ out: String, _ workers: [[String]]) throws -> JournalContents {
            let job = try MPIJob.run(["run", "bundles.yaml", "--out", out, "--threads", "1"], workerArguments: workers, in: directory)
            XCTAssertEqual(job.status, 0, job.output)
            return try JournalReader.read(path: "\(directory)/\(out)/journal.jsonl")
        }
        func csv(_ out: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(out)/predictions.csv")) }

        let alone = try run("alone", [[]])
        XCTAssertTrue(alone.tasks.values.allSatisfy { $0.device == "cpu" && $0.bundleSize == nil })
        let bundled = try run("bundled", [["--bundle", "4"]])
        let mixed = try run("mixed", [["--bundle", "4"], []])
        XCTAssertEqual(try csv("bundled"), try csv("alone"), "--bundle 4 gives the predictions of one task at a time")
        XCTAssertEqual(try csv("mixed"), try csv("alone"), "a bundling and a one-task worker give them too")
        XCTAssertEqual(try MPIJob.predictions(out: "\(directory)/mixed"), try MPIJob.predictions(out: "\(directory)/alone"))
        for journal in [alone, bundled, mixed] { XCTAssertEqual(journal.tasks.count, 24) }

        // Variant b's tasks were bundled (4 at a time, the last bundle of a kind may be smaller),
        // variant c's (lr_schedule) went alone; every task records its device.
        let bundledB = bundled.tasks.values.filter { $0.variant == "b" }
        XCTAssertTrue(bundledB.allSatisfy { ($0.bundleSize ?? 1) > 1 && $0.device == "cpu" }, "\(bundledB.map(\.bundleSize))")
        XCTAssertEqual(bundledB.filter { $0.bundleSize == 4 }.count, 12, "12 tasks of b: three full bundles")
        XCTAssertTrue(bundled.tasks.values.filter { $0.variant == "c" }.allSatisfy { $0.bundleSize == nil })
        XCTAssertEqual(bundled.workers.map(\.bundleLimit), [4])
        XCTAssertEqual(bundled.workers.map(\.device), ["cpu"])

        let bundler = try XCTUnwrap(mixed.workers.first { $0.bundleLimit == 4 }), single = try XCTUnwrap(mixed.workers.first { $0.bundleLimit == 1 })
        let byWorker = Dictionary(grouping: mixed.tasks.values, by: \.worker)
        XCTAssertFalse(byWorker["\(single.host):\(single.rank)", default: []].isEmpty, "the one-task worker trained")
        XCTAssertTrue(byWorker["\(single.host):\(single.rank)", default: []].allSatisfy { $0.bundleSize == nil })
        XCTAssertTrue(byWorker["\(bundler.host):\(bundler.rank)", default: []].contains { ($0.bundleSize ?? 1) > 1 }, "the bundling worker trained bundles")

        // The report's workers table says so: both on the CPU, the bundler's fold batch sizes
        // starting at 4 (smaller last bundles, 1 for a task of variant c), the one-task worker's 1.
        let report = try String(contentsOfFile: "\(directory)/mixed/report.md", encoding: .utf8)
        XCTAssertTrue(report.contains("| worker | device | tasks | training time | fold batch sizes |"), report)
        func cells(_ worker: WorkerRecord) -> [String]? {
            report.split(separator: "\n").first { $0.hasPrefix("| \(worker.host):\(worker.rank) |") }?
                .split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        XCTAssertEqual(cells(bundler)?[1], "cpu", report)
        XCTAssertEqual(cells(bundler)?.last?.hasPrefix("4"), true, report)
        XCTAssertEqual(cells(single)?[1], "cpu", report)
        XCTAssertEqual(cells(single)?.last, "1", report)
        // The Hosts line names each worker's device, and the bundler's limit.
        let hosts = try XCTUnwrap(report.split(separator: "\n").first { $0.hasPrefix("- Hosts: ") }, report)
        XCTAssertTrue(hosts.contains("\(bundler.host):\(bundler.rank) ("), String(hosts))
        XCTAssertTrue(hosts.contains("1 thread, cpu (bundles of up to 4 tasks), v"), String(hosts))
        XCTAssertTrue(hosts.contains("1 thread, cpu, v"), String(hosts))
    }
}

extension BundledClaimingTests {
    /// A bundling worker that freezes mid-bundle (SIGSTOP) is declared lost; every unfinished task of
    /// its bundle goes back to the queue, the other worker trains them, and the predictions are those
    /// of one worker alone.
    func testAFrozenBundlingWorkersWholeBundleRunsElsewhereWithTheSameResults() throws {
        try MPIJob.requireMPI()
        // Long enough (100 epochs) that a bundle trains for seconds: the freeze lands mid-bundle.
        let text = Self.experimentText.replacingOccurrences(of: "epochs: 3", with: "epochs: 100")
            .replacingOccurrences(of: "lr_schedule: {kind: cosine, warmup_epochs: 1}", with: "loss: cross-entropy")
        let directory = try MPIJob.scratch("bundles-lost", files: ["bundles.yaml": text])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let alone = try MPIJob.run(["run", "bundles.yaml", "--out", "alone", "--threads", "1"], workerArguments: [[]], in: directory)
        XCTAssertEqual(alone.status, 0, alone.output)

        let log = directory + "/lost.log"
        let job = try MPIJob.start(["run", "bundles.yaml", "--out", "lost", "--threads", "1", "--worker-timeout", "8"],
                                   workerArguments: [["--bundle", "4"], ["--bundle", "4"]], in: directory, log: log)
        // Both workers hold a bundle of 4 and none has finished: whichever is frozen holds 4 unfinished tasks.
        func bothTraining() -> Bool {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            return text.components(separatedBy: "a bundle of 4 task(s) on cpu").count == 3 && !text.contains("finished ")
        }
        var frozen: Int32?
        while job.isRunning && frozen == nil {
            if bothTraining(), let w = MPIJob.childPID(of: job.processIdentifier, named: "worker") {
                kill(w, SIGSTOP)
                frozen = w
            } else {
                usleep(5_000)
            }
        }
        // The frozen worker is released once the coordinator has ended (it writes everything, then
        // aborts the job for the lost rank), as in LivenessTests: killing it while mpirun handles the
        // abort once left mpirun hanging.
        let coordinatorPID = MPIJob.childPID(of: job.processIdentifier, named: "coordinator")
        let hung = MPIJob.awaitEnd(of: job, frozen: frozen, within: 300) {
            coordinatorPID.map { !MPIJob.isAlive($0) } ?? false
        }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        XCTAssertFalse(hung, output)
        XCTAssertNotNil(frozen, "the run ended before a worker could be frozen")
        // mpirun reports the aborted (lost) rank; the run itself completed and wrote its report.
        XCTAssertTrue(output.contains("report: "), output)
        XCTAssertTrue(output.contains("declared lost; its bundle of 4 ("), output)
        XCTAssertTrue(output.contains("goes to another worker"), output)
        XCTAssertEqual(try MPIJob.predictions(out: "\(directory)/lost"), try MPIJob.predictions(out: "\(directory)/alone"))
    }
}
