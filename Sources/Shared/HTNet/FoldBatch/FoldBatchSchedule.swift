/// The lockstep step plan of F models trained together: model f keeps FoldTrainer's own rules (its
/// batch `maxBatch_f = max(1, min(batch_size, max(train, test)))`, ceil(train / maxBatch_f) steps per
/// epoch, the last one short), and the batch runs step s of an epoch for every model that has one.
/// Models with fewer steps sit the remaining steps out (masked: no forward, no Adam update), so each
/// model sees exactly the updates it would see alone.
public struct FoldBatchSchedule: Equatable, Sendable {
    /// Per model: training samples, largest batch, steps per epoch.
    public let trainCounts: [Int]
    public let maxBatches: [Int]
    public let stepsPerEpoch: [Int]

    public init(batchSize: Int, trainCounts: [Int], testCounts: [Int]) {
        precondition(trainCounts.count == testCounts.count, "one test count per model")
        self.trainCounts = trainCounts
        maxBatches = zip(trainCounts, testCounts).map { max(1, min(batchSize, max($0, $1))) }
        stepsPerEpoch = zip(trainCounts, maxBatches).map { ($0 + $1 - 1) / $1 }
    }

    /// Steps of one lockstep epoch: the longest model's.
    public var lockstepSteps: Int { stepsPerEpoch.max() ?? 0 }
    /// The stacked activation stride: every model's slot holds the largest batch of any model.
    public var stackedBatch: Int { maxBatches.max() ?? 1 }

    /// Model f's slice of its epoch order at lockstep step s, or nil when it has no step s.
    public func slice(model f: Int, step s: Int) -> Range<Int>? {
        guard s < stepsPerEpoch[f] else { return nil }
        let start = s * maxBatches[f]
        return start..<min(trainCounts[f], start + maxBatches[f])
    }
}
