import FoldResults
import Foundation
import Tensor
import TestSupport
import TrainedModels
import XCTest
@testable import Coordination

/// `keep: checkpoints` under mpirun: a run killed mid-way and resumed has every fold's checkpoint,
/// each with exactly the reference state_dict's names and shapes (those of the shipped fixture's
/// dim-16 model), and a journalled task whose checkpoint is missing runs again on resume.
final class KeptCheckpointTests: XCTestCase {
    static let experimentText = """
        name: keep
        dataset: {source: synthetic, seed: 5, subjects: 2, samples: 12}
        protocol: loso
        seeds: [1]
        model: {dim: 16, heads: 3, block_repeats: [1, 1, 2]}
        training: {epochs: 3, batch_size: 16, lr: 0.001}
        epoch_selection: best-test-epoch
        keep: checkpoints
        """
    static let folds = 6

    private var directory: String!

    override func setUpWithError() throws {
        try MPIJob.requireMPI()
        directory = try temporaryDirectory(self)
        try Self.experimentText.write(toFile: directory + "/keep.yaml", atomically: true, encoding: .utf8)
    }

    /// The reference names (state_dict order) and shapes of the fixture's dim 16, repeats 1,1,2 model.
    private func referenceShapes() throws -> [String: [Int]] {
        let fixture = try SafeTensorsFile.read(path: try Fixtures.path("htnet-torch-init.safetensors"))
        let models = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(fixture.metadata["models"]!.utf8)) as? [[String: Any]])
        let model = try XCTUnwrap(models.first { $0["tag"] as? String == "d16_r1-1-2_s1" })
        let order = try XCTUnwrap(model["order"] as? [String])
        return Dictionary(uniqueKeysWithValues: try order.map { ($0, try XCTUnwrap(fixture.tensors["d16_r1-1-2_s1." + $0]).shape) })
    }

    func testAKilledAndResumedRunKeepsEveryFoldsCheckpointUnderTheReferenceNames() throws {
        let log = directory + "/killed.log"
        let job = try MPIJob.start(["run", "keep.yaml", "--out", "out", "--threads", "1"], workers: 2, in: directory, log: log)
        let journalPath = "\(directory!)/out/journal.jsonl"
        let killed = MPIJob.killAWorkerAfterTheFirstJournalledTask(job, journal: journalPath)
        XCTAssertTrue(killed, "the job ended before a worker could be killed:\n" + ((try? String(contentsOfFile: log, encoding: .utf8)) ?? ""))
        job.waitUntilExit()
        let before = try JournalReader.read(path: journalPath)
        XCTAssertLessThan(before.tasks.count, Self.folds, "killed mid-run")
        let store = KeptCheckpoints(runDirectory: directory + "/out")
        for id in before.tasks.keys {
            XCTAssertTrue(store.isComplete(taskID: id, runSelection: .bestTestEpoch), "journalled task \(id) has its checkpoints")
        }

        let resumed = try MPIJob.run(["run", "keep.yaml", "--out", "out", "--threads", "1", "--resume"], workers: 2, in: directory)
        XCTAssertEqual(resumed.status, 0, resumed.output)
        let journal = try JournalReader.read(path: journalPath)
        XCTAssertEqual(journal.tasks.count, Self.folds)
        let shapes = try referenceShapes()
        for (id, task) in journal.tasks {
            for selection in [EpochSelection.final, .bestTestEpoch] {
                let file = try SafeTensorsFile.read(path: store.path(taskID: id, selection: selection))
                XCTAssertEqual(Set(file.tensors.keys), Set(shapes.keys), "\(id) \(selection): exactly the reference's names")
                for (name, shape) in shapes { XCTAssertEqual(file.tensors[name]?.shape, shape, "\(id): \(name)") }
                XCTAssertTrue(file.tensors.values.allSatisfy { $0.dtype == .f32 })
                let metadata = try XCTUnwrap(try CheckpointMetadata.read(file.metadata, source: id))
                XCTAssertEqual(metadata.fold, task.fold)
                XCTAssertEqual(metadata.seed, 1)
                XCTAssertEqual(metadata.variant, "base")
                XCTAssertEqual(metadata.experimentIdentity, journal.header.identity)
                XCTAssertEqual(metadata.classNames, journal.header.classNames)
                if case let .htnet(config) = metadata.model { XCTAssertEqual(config.dim, 16) } else { XCTFail("\(metadata.model)") }
                XCTAssertEqual(metadata.selection, selection)
                XCTAssertEqual(metadata.epoch, selection == .final ? 3 : task.bestTestEpoch)
            }
        }
        XCTAssertEqual(store.finalCheckpoints().count, Self.folds)

        // A journalled task whose checkpoint is gone is not done: resume trains it again.
        let victim = journal.taskOrder[0]
        try FileManager.default.removeItem(atPath: store.path(taskID: victim, selection: .final))
        let again = try MPIJob.run(["run", "keep.yaml", "--out", "out", "--threads", "1", "--resume"], workers: 1, in: directory)
        XCTAssertEqual(again.status, 0, again.output)
        XCTAssertTrue(again.output.contains("1 journalled task(s) lack their checkpoint"), again.output)
        XCTAssertTrue(store.isComplete(taskID: victim, runSelection: .bestTestEpoch))
    }
}
