import HTNet
import XCTest
@testable import Coordination
@testable import Wire

final class LOSOPlannerTests: XCTestCase {
    private func experiment(protocol spec: ProtocolSpec = .init(kind: .loso), name: String = "e") -> Experiment {
        Experiment(name: name, dataset: .init(kind: .synthetic, seed: 1), evaluation: spec, seeds: [1, 2], selection: .final,
                   variants: [ExperimentVariant(name: "small", model: HTNetConfig(dim: 8, heads: 2, blockRepeats: [1, 1, 1]),
                                                training: TrainingConfig(epochs: 2)),
                              ExperimentVariant(name: "big", model: HTNetConfig(dim: 32, heads: 2, blockRepeats: [1, 1, 1]),
                                                training: TrainingConfig(epochs: 4))])
    }

    // Subjects of unequal size: a has 1 sample, b 2, c 3, d 4.
    private let subjects = ["d", "c", "b", "a", "d", "c", "b", "d", "c", "d"]

    func testLOSOHoldsOutEachSubjectOnce() {
        let folds = LOSOPlanner.folds(subjects: subjects, protocol: .init(kind: .loso))
        XCTAssertEqual(folds.map(\.key), ["a", "b", "c", "d"])
        for fold in folds {
            XCTAssertEqual(Set(fold.testIndices.map { subjects[$0] }), [fold.key])
            XCTAssertFalse(fold.trainIndices.contains { subjects[$0] == fold.key })
            XCTAssertEqual(fold.trainIndices.count + fold.testIndices.count, subjects.count)
            XCTAssertEqual(fold.trainIndices, fold.trainIndices.sorted(), "dataset order")
        }
    }

    func testKFoldSplitsBySubjectDeterministically() {
        let spec = ProtocolSpec(kind: .kfold, k: 3, splitSeed: 7)
        let many = (0..<20).map { "s\($0 % 10)" }
        let a = LOSOPlanner.folds(subjects: many, protocol: spec), b = LOSOPlanner.folds(subjects: many, protocol: spec)
        XCTAssertEqual(a, b)
        XCTAssertEqual(a.map(\.key), ["k1", "k2", "k3"])
        XCTAssertEqual(a.flatMap(\.testSubjects).sorted(), Set(many).sorted(), "every subject tested exactly once")
        for fold in a { XCTAssertTrue(Set(fold.trainIndices.map { many[$0] }).isDisjoint(with: fold.testSubjects)) }
        XCTAssertNotEqual(LOSOPlanner.folds(subjects: many, protocol: .init(kind: .kfold, k: 3, splitSeed: 8)).map(\.testSubjects),
                          a.map(\.testSubjects), "the split seed changes the split")
    }

    func testTasksAreLargestFirst() {
        let tasks = LOSOPlanner.tasks(experiment: experiment(), subjects: subjects)
        XCTAssertEqual(tasks.count, 2 * 2 * 4)
        XCTAssertEqual(tasks.map(\.cost), tasks.map(\.cost).sorted(by: >))
        // The big variant (more epochs, wider) comes first; within it, the fold with the most
        // training samples (held-out subject a) first.
        XCTAssertEqual(tasks.first?.id, "big/1/a")
        XCTAssertEqual(tasks.last?.id, "small/2/d")
        XCTAssertEqual(Set(tasks.map(\.id)).count, tasks.count)
    }

    func testSeedKeysDependOnWhatTheTaskIsOnly() {
        let e = experiment()
        let tasks = LOSOPlanner.tasks(experiment: e, subjects: subjects)
        let again = LOSOPlanner.tasks(experiment: e, subjects: subjects.reversed())
        let keys = Dictionary(uniqueKeysWithValues: tasks.map { ($0.id, $0.seedKeys) })
        for t in again { XCTAssertEqual(keys[t.id], t.seedKeys, "same task, same streams, whatever the order") }
        XCTAssertEqual(Set(tasks.map(\.seedKeys)).count, tasks.count, "every task has its own streams")
        XCTAssertEqual(LOSOPlanner.seedKeys(experiment: e, variant: "small", seed: 1, fold: "a"), keys["small/1/a"])
        // Adding a seed or a variant leaves the existing tasks' streams alone.
        var wider = e
        wider.seeds.append(3)
        let widerKeys = Dictionary(uniqueKeysWithValues: LOSOPlanner.tasks(experiment: wider, subjects: subjects).map { ($0.id, $0.seedKeys) })
        for (id, k) in keys { XCTAssertEqual(widerKeys[id], k) }
        XCTAssertNotEqual(LOSOPlanner.seedKeys(experiment: experiment(name: "other"), variant: "small", seed: 1, fold: "a"), keys["small/1/a"])
    }

    func testSchedulerHandsOutInOrderAndRequeuesALeaver() {
        let tasks = LOSOPlanner.tasks(experiment: experiment(), subjects: subjects)
        var s = TaskScheduler(tasks: tasks, alreadyDone: 3)
        XCTAssertEqual(s.total, tasks.count + 3)
        let first = s.nextTask(for: "w1"), second = s.nextTask(for: "w2")
        XCTAssertEqual(first?.id, tasks[0].id)
        XCTAssertEqual(second?.id, tasks[1].id)
        s.requeue(worker: "w1")
        XCTAssertEqual(s.nextTask(for: "w3")?.id, tasks[0].id, "a leaver's task goes back to the front")
        s.finish(worker: "w2", taskID: tasks[1].id, succeeded: true)
        XCTAssertEqual(s.done, 4)
        s.stop()
        XCTAssertNil(s.nextTask(for: "w2"), "nothing is handed out once stopping")
        XCTAssertTrue(s.progressLine(workers: ["w2", "w3"]).hasPrefix("[4/\(tasks.count + 3) tasks]"))
    }

    /// init_scope seed: every fold of a (variant, seed) starts from the same weights (torch: the
    /// reference's torch.manual_seed(seed)); init_scope fold: each task its own. The start travels
    /// in the assignment, so the worker that trains it plays no part.
    func testStartingWeightsFollowInitScope() throws {
        func tasks(_ rng: InitialisationRNG, _ scope: InitialisationScope) -> [PlannedTask] {
            var e = experiment()
            for i in e.variants.indices { e.variants[i].training.initRNG = rng; e.variants[i].training.initScope = scope }
            return LOSOPlanner.tasks(experiment: e, subjects: subjects)
        }
        for rng in InitialisationRNG.allCases {
            let shared = Dictionary(grouping: tasks(rng, .seed), by: { "\($0.variant.name)/\($0.seed)" })
            for (_, group) in shared { XCTAssertEqual(Set(group.map(\.start.description)).count, 1, "\(rng): one start per seed") }
            let perFold = tasks(rng, .fold)
            XCTAssertEqual(Set(perFold.map(\.start.description)).count, perFold.count, "\(rng): one start per task")
        }
        XCTAssertTrue(tasks(.torch, .seed).allSatisfy { $0.start == .torch(seed: UInt64($0.seed)) })
        // splitmix / fold is the stream every task drew before init_rng existed.
        XCTAssertTrue(tasks(.splitmix, .fold).allSatisfy { $0.start == .splitmix(keys: $0.seedKeys + [1]) })
        let a = tasks(.torch, .seed)[0].assignment
        XCTAssertEqual(try MessageCodec.decode(MessageCodec.encode(.assignment(a))), .assignment(a))
    }
}
