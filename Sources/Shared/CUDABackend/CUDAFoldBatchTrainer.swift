import FoldResults
import Foundation
import HTNet
import Tensor

/// FoldBatchTrainer's contract on a KernelDevice: F members of one model shape trained in lockstep
/// (FoldBatchSchedule), each with its own data, starting weights, label noise, shuffle stream and
/// class weights, Adam over the stacked buffer with per-model step counts (StackedAdam.scalars).
/// The host draws orders and initial weights exactly as FoldTrainer does and gathers each step's
/// stacked batch; the device does the rest (StackedHTNet). Results match the CPU engine within
/// float tolerance (cuBLAS sums in its own order), not bit for bit. Classifier head with
/// (weighted) cross-entropy only; metric losses stay on the CPU.
public struct CUDAFoldBatchTrainer {
    public let members: [FoldBatchTrainer.Member]
    public let device: KernelDevice
    /// Asked before every lockstep step; `true` ends every member with FoldTrainingError.cancelled.
    public var shouldStop: (() -> Bool)?

    public init(members: [FoldBatchTrainer.Member], device: KernelDevice) throws {
        _ = try FoldBatchTrainer(members: members)   // the same shape and settings checks
        if members[0].trainer.training.loss.isMetric {
            throw FoldTrainingError.badData("the GPU trainer has the classifier head only: loss \(members[0].trainer.training.loss.rawValue) trains on the CPU")
        }
        self.members = members
        self.device = device
    }

    public func run(progress: (Int, EpochRecord) -> Void = { _, _ in }) throws -> (outcomes: [Result<FoldOutcome, Error>], weights: [[Float]]) {
        let model = members[0].trainer.model, training = members[0].trainer.training
        let sampleSize = model.channels * model.imageSize * model.imageSize, classes = model.numClasses
        for m in members { try m.trainer.validate(m.data, sampleSize: sampleSize) }
        let F = members.count
        let schedule = FoldBatchSchedule(batchSize: training.batchSize, trainCounts: members.map { $0.data.trainLabels.count },
                                         testCounts: members.map { $0.data.testLabels.count })
        let SB = schedule.stackedBatch
        let net = try StackedHTNet(device: device, config: model, models: F, stackedBatch: SB)
        let P = net.P

        // Starting weights, label noise and class weights, drawn as FoldTrainer draws them.
        var hostParams = [Float](repeating: 0, count: F * P), trainLabels: [[Int]] = [], weights: [Float] = []
        for (f, m) in members.enumerated() {
            let cpu = HTNetModel(config: model, maxBatch: 1)
            if let given = m.trainer.initialParameters {
                guard given.count == P else { throw FoldTrainingError.badData("member \(f): initial weights hold \(given.count) values, the model \(P)") }
                cpu.parameters.copy(from: given)
            } else {
                m.trainer.start.initialise(cpu)
            }
            for i in 0..<P { hostParams[f * P + i] = cpu.parameters[i] }
            let labels = LabelNoise.taskLabels(m.data.trainLabels, fraction: training.labelNoise, classes: classes, seedKeys: m.trainer.seedKeys)
            trainLabels.append(labels)
            guard case let .crossEntropy(w) = training.objective(trainLabels: labels, classes: classes) else { preconditionFailure("classifier only") }
            weights += w ?? [Float](repeating: 1, count: classes)
        }
        try device.upload(hostParams, to: net.params)
        let unweighted = [Float](repeating: 1, count: F * classes)

        var steps = [Int](repeating: 0, count: F)
        var failure: [Error?] = Array(repeating: nil, count: F)
        var records: [[EpochRecord]] = Array(repeating: [], count: F)
        var best: [(epoch: Int, accuracy: Double, logits: [[Float]])] = Array(repeating: (0, -1, []), count: F)
        var finalLogits: [[[Float]]] = Array(repeating: [], count: F)
        var images = [Float](repeating: 0, count: F * SB * sampleSize), labels = [Int32](repeating: 0, count: F * SB)
        let fixedOrders = members.map { m in
            training.order == .shuffle ? [] : FoldTrainer.epochOrder(training.order, labels: m.data.trainLabels, epoch: 0, seedKeys: m.trainer.seedKeys)
        }
        let stepSizes = try device.allocate(Float.self, count: 2 * F), bc2 = try device.allocate(Float.self, count: F)
        let active = try device.allocate(Int32.self, count: F)
        let multiplier = training.effectiveClassVectorLRMultiplier

        /// Uploads member f's samples `indices` of `inputs` into its slot, with their labels.
        func fill(_ f: Int, _ inputs: [Float], _ indices: [Int], _ sampleLabels: [Int]) {
            inputs.withUnsafeBufferPointer { src in
                for (i, s) in indices.enumerated() {
                    for j in 0..<sampleSize { images[(f * SB + i) * sampleSize + j] = src[s * sampleSize + j] }
                    labels[f * SB + i] = Int32(sampleLabels[s])
                }
            }
        }

        for epoch in 1...max(1, training.epochs) {
            let started = DispatchTime.now().uptimeNanoseconds
            let orders = members.enumerated().map { f, m in
                training.order == .shuffle
                    ? FoldTrainer.epochOrder(.shuffle, labels: m.data.trainLabels, epoch: epoch, seedKeys: m.trainer.seedKeys) : fixedOrders[f]
            }
            var lossSums = [Double](repeating: 0, count: F), corrects = [Int](repeating: 0, count: F)
            try device.upload(weights, to: net.classWeights)
            for step in 0..<schedule.lockstepSteps {
                if let shouldStop, shouldStop() { throw FoldTrainingError.cancelled(epoch: epoch) }
                var batches = [Int](repeating: 0, count: F)
                for f in 0..<F where failure[f] == nil {
                    guard let slice = schedule.slice(model: f, step: step) else { continue }
                    fill(f, members[f].data.trainInputs, slice.map { orders[f][$0] }, trainLabels[f])
                    batches[f] = slice.count
                }
                try device.upload(images, to: net.images)
                try device.upload(labels, to: net.labels)
                try net.setBatches(batches)
                try net.forward()
                let results = try net.crossEntropy()
                var isActive = [Int32](repeating: 0, count: F), sizes = [Float](repeating: 0, count: 2 * F), roots = [Float](repeating: 1, count: F)
                for f in 0..<F where batches[f] > 0 {
                    guard results[f].loss.isFinite else {
                        failure[f] = FoldTrainingError.nonFiniteLoss(epoch: epoch, step: step + 1)
                        continue
                    }
                    lossSums[f] += results[f].loss * Double(batches[f])
                    corrects[f] += results[f].correct
                    isActive[f] = 1
                    steps[f] += 1
                    let base = StackedAdam.scalars(step: steps[f], learningRate: training.learningRate, factor: 1, beta1: 0.9, beta2: 0.999)
                    let scaled = StackedAdam.scalars(step: steps[f], learningRate: training.learningRate, factor: Float(multiplier), beta1: 0.9, beta2: 0.999)
                    sizes[2 * f] = base.stepSize
                    sizes[2 * f + 1] = scaled.stepSize
                    roots[f] = base.bc2Sqrt
                }
                try net.backward()
                try device.upload(sizes, to: stepSizes)
                try device.upload(roots, to: bc2)
                try device.upload(isActive, to: active)
                try device.launch("loso_adam_stacked", elements: P, models: F,
                                  [.buffer(net.params), .buffer(net.grads), .buffer(net.firstMoments), .buffer(net.secondMoments),
                                   .int64(Int64(P)), .buffer(stepSizes), .buffer(bc2), .buffer(active), .int64(0), .int64(0),
                                   .float(0.9), .float(0.999), .float(1e-8)])
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9

            // Test sets: forward passes in lockstep chunks of each member's own batch (FoldTrainer.evaluate).
            try device.upload(unweighted, to: net.classWeights)
            var evalLogits: [[[Float]]] = Array(repeating: [], count: F), evalLoss = [Double](repeating: 0, count: F)
            var evalCorrect = [Int](repeating: 0, count: F)
            let chunks = members.indices.map { f in (members[f].data.testLabels.count + schedule.maxBatches[f] - 1) / schedule.maxBatches[f] }.max() ?? 0
            for chunk in 0..<chunks {
                var batches = [Int](repeating: 0, count: F)
                for f in 0..<F where failure[f] == nil {
                    let n = members[f].data.testLabels.count, start = chunk * schedule.maxBatches[f]
                    guard start < n else { continue }
                    let indices = Array(start..<min(n, start + schedule.maxBatches[f]))
                    fill(f, members[f].data.testInputs, indices, members[f].data.testLabels)
                    batches[f] = indices.count
                }
                try device.upload(images, to: net.images)
                try device.upload(labels, to: net.labels)
                try net.setBatches(batches)
                try net.forward()
                let results = try net.crossEntropy()
                let scores = try device.download(Float.self, count: F * SB * classes, from: net.logits)
                for f in 0..<F where batches[f] > 0 {
                    evalLoss[f] += results[f].loss * Double(batches[f])
                    evalCorrect[f] += results[f].correct
                    for i in 0..<batches[f] { evalLogits[f].append(Array(scores[((f * SB + i) * classes)..<((f * SB + i + 1) * classes)])) }
                }
            }
            for f in 0..<F where failure[f] == nil {
                let testCount = members[f].data.testLabels.count, trainCount = members[f].data.trainLabels.count
                let accuracy = testCount > 0 ? Double(evalCorrect[f]) / Double(testCount) : 0
                if accuracy >= best[f].accuracy { best[f] = (epoch, accuracy, evalLogits[f]) }
                finalLogits[f] = evalLogits[f]
                members[f].trainer.testLogitsObserver?(epoch, evalLogits[f])
                let record = EpochRecord(epoch: epoch, trainLoss: lossSums[f] / Double(trainCount),
                                         trainAccuracy: Double(corrects[f]) / Double(trainCount),
                                         testLoss: testCount > 0 ? evalLoss[f] / Double(testCount) : 0,
                                         testAccuracy: accuracy, seconds: seconds)
                records[f].append(record)
                progress(f, record)
            }
        }
        try device.synchronize()
        let trained = try device.download(Float.self, count: F * P, from: net.params)
        let outcomes: [Result<FoldOutcome, Error>] = (0..<F).map { f in
            if let error = failure[f] { return .failure(error) }
            return .success(FoldOutcome(epochs: records[f], finalLogits: finalLogits[f], bestTestEpoch: best[f].epoch,
                                        bestTestLogits: best[f].logits))
        }
        return (outcomes, (0..<F).map { Array(trained[($0 * P)..<(($0 + 1) * P)]) })
    }
}
