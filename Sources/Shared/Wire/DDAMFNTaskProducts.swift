import DDAMFN
import FoldResults
import Foundation
import HTNet

/// What a DDAMFN task keeps or continues besides its logits: the weights it returns (`keep:
/// checkpoints`: the whole model state, running statistics included, DDAMFNModel.exportState), the
/// weights it starts from (`training.init_from`), and its fold states (save and resume).
enum DDAMFNTaskProducts {
    /// The weights this task must send back would not fit one result message: refused before training.
    static func sizeProblem(_ a: TaskAssignment, config: DDAMFNConfig) -> String? {
        guard a.returnedWeights != .none else { return nil }
        let sets = a.returnedWeights.setCount
        let bytes = DDAMFNStateLayout(config: config).count * 4 * sets
        guard bytes > MPICommunicator.maximumMessageBytes - (64 << 20) else { return nil }
        return "keep: checkpoints: \(sets) weight set(s) of this model need \(bytes >> 20) MiB, more than one MPI message holds (2 GiB)"
    }

    /// The trained weights a task hands back, collected as training ends.
    final class Returned {
        var final: [Float] = []
        /// The best-test or validation-selected epoch's, as the assignment asks (ReturnedWeights.selected).
        var selected: (epoch: Int, state: [Float])?

        func weights(_ a: TaskAssignment, outcome: FoldOutcome) -> [TrainedWeights] {
            guard a.returnedWeights != .none else { return [] }
            var out = [TrainedWeights(selection: .final, epoch: outcome.epochs.count, parameters: final)]
            if let rule = a.returnedWeights.selected, let selected {
                out.append(TrainedWeights(selection: rule, epoch: selected.epoch, parameters: selected.state))
            }
            return out
        }
    }

    /// When the last state was handed out, for the cadence.
    final class SaveClock {
        var epoch: Int
        var time = DispatchTime.now().uptimeNanoseconds
        init(epoch: Int) { self.epoch = epoch }
        var seconds: Double { Double(DispatchTime.now().uptimeNanoseconds - time) / 1e9 }
    }

    /// Sets the trainer up for the assignment's starting weights, resume state, state cadence and
    /// returned weights; the returned collector fills as training ends (pass `finished` to `run`).
    static func configure(_ trainer: inout DDAMFNFoldTrainer, _ a: TaskAssignment, stateCadence: FoldStateCadence,
                          saveState: @escaping (FoldStateUpload) -> Void) throws -> Returned {
        if let start = a.initialParameters {
            trainer.startingState = DDAMFNStartingState(state: start, drawnFresh: Set(a.freshSlots))
        }
        if !a.resumeState.isEmpty {
            trainer.resumeState = try DDAMFNFoldState.decode(Data(a.resumeState), source: "the saved fold state of \(a.taskID)")
        }
        if stateCadence.isEnabled {
            let clock = SaveClock(epoch: trainer.resumeState?.epoch ?? 0)
            let epochs = a.training.epochs
            trainer.stateDue = { epoch in
                stateCadence.isDue(epoch: epoch, lastSavedEpoch: clock.epoch, secondsSinceSave: clock.seconds, epochs: epochs)
            }
            trainer.stateObserver = { state in
                clock.epoch = state.epoch
                clock.time = DispatchTime.now().uptimeNanoseconds
                // A state that cannot be encoded only loses this save point; the fold goes on.
                if let bytes = try? state.encoded() { saveState(FoldStateUpload(taskID: a.taskID, epoch: state.epoch, state: Array(bytes))) }
            }
        }
        let returned = Returned()
        switch a.returnedWeights.selected {
        case .bestTestEpoch: trainer.bestTestStateObserver = { epoch, state in returned.selected = (epoch, state) }
        case .validation: trainer.validationStateObserver = { epoch, state in returned.selected = (epoch, state) }
        case .final, nil: break
        }
        return returned
    }
}
