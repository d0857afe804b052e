import FoldResults
import HTNet
import Tensor

/// Fold-batch members for the GPU tests: member i trains on `sizes[i].train` and is tested on
/// `sizes[i].test` synthetic 3 x 28 x 28 samples whose class is a bright band of 9 x (label + 1)
/// columns under Gaussian noise, so a few steps move the losses; seed keys [key, base + i].
enum SyntheticFoldBatch {
    static func members(model: HTNetConfig, training: TrainingConfig, sizes: [(train: Int, test: Int)],
                        dataSeed: UInt64, seedKeys: (key: UInt64, base: UInt64)) -> [FoldBatchTrainer.Member] {
        var rng = DeterministicRNG(seed: dataSeed)
        func samples(_ n: Int, offset: Int) -> ([Float], [Int]) {
            var x: [Float] = [], y: [Int] = []
            for i in 0..<n {
                let label = (i + offset) % 3
                for _ in 0..<3 { for _ in 0..<28 { for col in 0..<28 { x.append((col < 9 * (label + 1) ? 60 : 0) + 40 * rng.normal()) } } }
                y.append(label)
            }
            return (x, y)
        }
        return sizes.enumerated().map { i, size in
            let train = samples(size.train, offset: i), test = samples(size.test, offset: i + 1)
            return .init(trainer: FoldTrainer(model: model, training: training, seedKeys: [seedKeys.key, seedKeys.base + UInt64(i)]),
                         data: FoldData(trainInputs: train.0, trainLabels: train.1, testInputs: test.0, testLabels: test.1))
        }
    }
}
