import Dataset
import FoldResults
import Foundation
import HTNet

/// Trains a bundle of assigned tasks (one model and training setup, different folds or seeds) as one
/// fold batch on a background thread (BackgroundTraining), as FoldTaskRunner trains one task. Each task gets its own
/// result, exactly the one it gets alone on the CPU engine (the fold batch's contract), with the
/// device that trained it. Bundled tasks save no fold states: a bundle that is cut off restarts its
/// folds from epoch 1 (a task with a saved state is handed out alone, by the coordinator, to resume).
public final class BundleTaskRunner: BackgroundTraining<EpochProgress, [Result<TaskResult, TaskFailure>]> {
    public let assignments: [TaskAssignment]
    public let engine: FoldBatchEngine

    public init(assignments: [TaskAssignment], engine: FoldBatchEngine) {
        self.assignments = assignments
        self.engine = engine
    }

    /// Starts training; `outcome` then holds one result per assignment, in order.
    public func start(dataset: ComposedDataset, worker: String, log: @escaping (String) -> Void = { _ in }) {
        launch { [self] in
            BundleTaskRunner.train(assignments, engine: engine, dataset: dataset, worker: worker, log: log,
                                   shouldStop: { self.isCancelled }, progress: { self.report($0) })
        }
    }

    /// Slices and checks every task's fold (a task with bad data fails alone), trains the rest as one
    /// fold batch on `engine` (or on the CPU engine when `engine` refuses their settings, e.g. a
    /// metric loss on the GPU), and builds each task's result as FoldTaskRunner does. A task's
    /// trainSeconds is its share of the batch's time (batch time / members), so sums stay true.
    static func train(_ assignments: [TaskAssignment], engine: FoldBatchEngine, dataset: ComposedDataset, worker: String,
                      log: (String) -> Void = { _ in }, shouldStop: @escaping () -> Bool = { false },
                      progress: @escaping (EpochProgress) -> Void) -> [Result<TaskResult, TaskFailure>] {
        let started = Date()
        var outcomes = [Result<TaskResult, TaskFailure>?](repeating: nil, count: assignments.count)
        var members: [FoldBatchTrainer.Member] = [], memberTask: [Int] = []
        for (i, a) in assignments.enumerated() {
            func fail(_ message: String) { outcomes[i] = .failure(TaskFailure(taskID: a.taskID, worker: worker, message: message)) }
            if let problem = FoldTaskRunner.indexProblem(a, dataset: dataset) { fail(problem); continue }
            if a.ddamfn != nil { fail("a DDAMFN task cannot be bundled (the coordinator hands those out alone)"); continue }
            switch FoldTaskRunner.foldData(a, dataset: dataset) {
            case let .failure(problem): fail(problem.message)
            case let .success(data):
                var trainer = FoldTrainer(model: a.model, training: a.training, seedKeys: a.seedKeys, start: a.start)
                trainer.initialParameters = a.initialParameters
                trainer.freshSlots = Set(a.freshSlots)
                members.append(.init(trainer: trainer, data: data))
                memberTask.append(i)
            }
        }
        let prepared = Date()
        var device = engine.device
        if !members.isEmpty {
            let model = members[0].trainer.model, training = members[0].trainer.training
            var chosen = engine
            if let reason = engine.refusal(model: model, training: training) {
                log("\(worker): \(reason): this bundle trains on the CPU")
                chosen = CPUFoldBatchEngine()
                device = chosen.device
            }
            var finals = [FinalEvaluation?](repeating: nil, count: members.count)
            var finalWeights = [[Float]](repeating: [], count: members.count)
            do {
                let results = try chosen.train(members, shouldStop: shouldStop, progress: { f, record in
                    progress(EpochProgress(taskID: assignments[memberTask[f]].taskID, record: record))
                }, finished: { f, net in
                    finals[f] = members[f].trainer.finalEvaluation(net, data: members[f].data)
                    if assignments[memberTask[f]].returnedWeights != .none {
                        finalWeights[f] = Array(UnsafeBufferPointer(start: net.parameters.pointer, count: net.layout.count))
                    }
                })
                let share = Date().timeIntervalSince(prepared) / Double(members.count)
                for (f, result) in results.enumerated() {
                    let a = assignments[memberTask[f]]
                    switch result {
                    case let .failure(error):
                        outcomes[memberTask[f]] = .failure(TaskFailure(taskID: a.taskID, worker: worker, message: "\(error)"))
                    case let .success(outcome):
                        outcomes[memberTask[f]] = FoldTaskRunner.result(a, worker: worker, outcome: outcome, final: finals[f],
                                                                        finalWeights: finalWeights[f], selectedWeights: nil,
                                                                        trainSeconds: share, prepareSeconds: prepared.timeIntervalSince(started))
                    }
                }
            } catch {
                for i in memberTask { outcomes[i] = .failure(TaskFailure(taskID: assignments[i].taskID, worker: worker, message: "\(error)")) }
            }
        }
        return outcomes.map { outcome in
            guard case var .success(result) = outcome! else { return outcome! }
            result.device = device
            result.bundleSize = assignments.count
            return .success(result)
        }
    }
}
