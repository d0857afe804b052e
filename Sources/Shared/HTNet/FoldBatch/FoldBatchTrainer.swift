import FoldResults
import Foundation
import Tensor

/// Trains F folds (or seeds, or variants) of one model shape in lockstep, each with its own data,
/// sample count, starting weights, label noise and shuffle stream, and gives each exactly the
/// outcome FoldTrainer.run gives it alone (FoldBatchTests checks this bit for bit).
///
/// The state is laid out as the GPU engine lays it out (docs/GPU.md): parameters, gradients and
/// Adam moments stacked [F, P] (StackedParameters), the step's input images stacked
/// [F, stackedBatch, C, H, W] (model f's batch at f * stackedBatch), the step plan from
/// FoldBatchSchedule, one Adam pass over the stack with per-model step counts (StackedAdam).
/// On the CPU the per-layer products of the F models run one model after another through the
/// engine's own layers (the fallback of one strided-batched sgemm per product): the same calls
/// with the same shapes as a lone FoldTrainer, hence the same bits.
public struct FoldBatchTrainer {
    public struct Member {
        public var trainer: FoldTrainer
        public var data: FoldData
        public init(trainer: FoldTrainer, data: FoldData) {
            self.trainer = trainer
            self.data = data
        }
    }

    public let members: [Member]
    /// Asked before every lockstep step; `true` ends every member with FoldTrainingError.cancelled.
    public var shouldStop: (() -> Bool)?

    public init(members: [Member]) throws {
        guard let first = members.first else { throw FoldTrainingError.badData("a fold batch needs at least one member") }
        for (i, m) in members.enumerated() {
            if m.trainer.model != first.trainer.model {
                throw FoldTrainingError.badData("fold batch member \(i): model differs from member 0 (a batch stacks models of one shape)")
            }
            if m.trainer.training != first.trainer.training {
                throw FoldTrainingError.badData("fold batch member \(i): training settings differ from member 0")
            }
            if let reason = FoldBatchSupport.refusal(member: m.trainer, data: m.data) {
                throw FoldTrainingError.badData("fold batch member \(i): \(reason)")
            }
        }
        self.members = members
    }

    /// Each member's outcome, in member order: a member whose loss diverges gets its error and
    /// leaves the batch; the others go on. `progress` sees (member, record) as each epoch ends.
    public func run(progress: (Int, EpochRecord) -> Void = { _, _ in },
                    finished: (Int, HTNetModel) -> Void = { _, _ in }) throws -> [Result<FoldOutcome, Error>] {
        let model = members[0].trainer.model, training = members[0].trainer.training
        let sampleSize = model.channels * model.imageSize * model.imageSize
        let classes = model.numClasses
        for m in members { try m.trainer.validate(m.data, sampleSize: sampleSize) }
        let schedule = FoldBatchSchedule(batchSize: training.batchSize,
                                         trainCounts: members.map { $0.data.trainLabels.count },
                                         testCounts: members.map { $0.data.testLabels.count })
        let F = members.count
        let layout = ParameterLayout(config: model, head: training.head)
        let stack = StackedParameters(models: F, perModel: layout.count)
        var nets: [HTNetModel] = [], trainLabels: [[Int]] = [], objectives: [TrainingObjective] = []
        for (f, m) in members.enumerated() {
            let net = HTNetModel(config: model, head: training.head, maxBatch: schedule.maxBatches[f], storage: stack.storage(model: f))
            if let given = m.trainer.initialParameters {
                guard given.count == layout.count else {
                    throw FoldTrainingError.badData("member \(f): initial weights hold \(given.count) values, the model \(layout.count)")
                }
                net.parameters.copy(from: given)
            } else {
                m.trainer.start.initialise(net)
            }
            let labels = LabelNoise.taskLabels(m.data.trainLabels, fraction: training.labelNoise, classes: classes, seedKeys: m.trainer.seedKeys)
            trainLabels.append(labels)
            objectives.append(training.objective(trainLabels: labels, classes: classes))
            nets.append(net)
        }
        let multipliers = nets[0].classVectorSlot.map { [(range: $0.offset..<($0.offset + $0.count), factor: Float(training.effectiveClassVectorLRMultiplier))] } ?? []
        let adam = StackedAdam(stack: stack, learningRate: training.learningRate, multipliers: multipliers)

        let stride = schedule.stackedBatch
        let images = FloatBuffer(count: F * stride * sampleSize)
        var labels = [Int](repeating: 0, count: F * stride)
        var failure: [Error?] = Array(repeating: nil, count: F)
        var records: [[EpochRecord]] = Array(repeating: [], count: F)
        var best: [(epoch: Int, accuracy: Double, logits: [[Float]])] = Array(repeating: (0, -1, []), count: F)
        var finalLogits: [[[Float]]] = Array(repeating: [], count: F)
        let fixedOrders = members.map { m in
            training.order == .shuffle ? [] : FoldTrainer.epochOrder(training.order, labels: m.data.trainLabels, epoch: 0, seedKeys: m.trainer.seedKeys)
        }

        for epoch in 1...max(1, training.epochs) {
            let started = DispatchTime.now().uptimeNanoseconds
            let orders = members.enumerated().map { f, m in
                training.order == .shuffle
                    ? FoldTrainer.epochOrder(.shuffle, labels: m.data.trainLabels, epoch: epoch, seedKeys: m.trainer.seedKeys) : fixedOrders[f]
            }
            var lossSums = [Double](repeating: 0, count: F), corrects = [Int](repeating: 0, count: F)
            for step in 0..<schedule.lockstepSteps {
                if let shouldStop, shouldStop() { throw FoldTrainingError.cancelled(epoch: epoch) }
                var active = [Bool](repeating: false, count: F)
                for f in 0..<F where failure[f] == nil {
                    guard let slice = schedule.slice(model: f, step: step) else { continue }
                    // Gather model f's batch into its slot of the stacked input.
                    let slot = images.pointer + f * stride * sampleSize
                    members[f].data.trainInputs.withUnsafeBufferPointer { src in
                        for (i, k) in slice.enumerated() {
                            let s = orders[f][k]
                            (slot + i * sampleSize).update(from: src.baseAddress! + s * sampleSize, count: sampleSize)
                            labels[f * stride + i] = trainLabels[f][s]
                        }
                    }
                    let b = slice.count
                    nets[f].forward(images: slot, batch: b)
                    let result = labels.withUnsafeBufferPointer {
                        objectives[f].evaluate(nets[f], labels: $0.baseAddress! + f * stride, batch: b, backward: true)
                    }
                    guard result.loss.isFinite else {
                        failure[f] = FoldTrainingError.nonFiniteLoss(epoch: epoch, step: step + 1)
                        continue
                    }
                    lossSums[f] += result.loss * Double(b)
                    corrects[f] += result.correct
                    active[f] = true
                }
                adam.update(active: active)
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            for f in 0..<F where failure[f] == nil {
                let m = members[f]
                let evaluation = m.trainer.evaluate(nets[f], objective: objectives[f], inputs: m.data.testInputs,
                                                    labels: m.data.testLabels, sampleSize: sampleSize)
                let testCount = m.data.testLabels.count, trainCount = m.data.trainLabels.count
                let accuracy = testCount > 0 ? Double(evaluation.correct) / Double(testCount) : 0
                if accuracy >= best[f].accuracy { best[f] = (epoch, accuracy, evaluation.logits) }
                finalLogits[f] = evaluation.logits
                m.trainer.testLogitsObserver?(epoch, evaluation.logits)
                let record = EpochRecord(epoch: epoch, trainLoss: lossSums[f] / Double(trainCount),
                                         trainAccuracy: Double(corrects[f]) / Double(trainCount),
                                         testLoss: evaluation.loss, testAccuracy: accuracy, seconds: seconds)
                records[f].append(record)
                progress(f, record)
            }
        }
        return (0..<F).map { f in
            if let error = failure[f] { return .failure(error) }
            finished(f, nets[f])
            return .success(FoldOutcome(epochs: records[f], finalLogits: finalLogits[f],
                                        bestTestEpoch: best[f].epoch, bestTestLogits: best[f].logits))
        }
    }
}
