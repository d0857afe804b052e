import ArgumentParser
import CommandLineConventions
import Dataset
import HTNet

/// The data and training flags `train-fold` (one fold) and `train-seed` (every fold of a seed)
/// share, so that the two commands train a fold under the same names and defaults and their
/// results can be compared fold by fold.
struct FoldTrainingOptions: ParsableArguments {
    @Option(help: "Dataset folder in the composite layout, or a feature-cache file.")
    var data: String
    @Option(parsing: .unconditional, help: "Seed of this run; each fold's random streams derive from it and the fold's held-out subject.")
    var seed = 1
    @Option(parsing: .unconditional, help: "Training epochs.")
    var epochs = 800
    @Option(parsing: .unconditional, help: "Mini-batch size (the reference uses 256).")
    var batch = 256
    @Option(parsing: .unconditional, help: "Adam learning rate (the reference uses 5e-5).")
    var lr: Float = 5e-5
    @Option(help: "Training order: csv (dataset order), class-grouped (the reference script's), shuffle (per epoch, seeded).")
    var order: TrainingOrder = .csv
    @Option(help: "Loss: cross-entropy, weighted-cross-entropy, or (train-fold only) a metric loss (proxy-anchor, arcface, cosface) with its default settings.")
    var loss: LossKind = .crossEntropy
    @Option(help: "Landmark crop rule: reference (rows from x, as the reference code) or geometric.")
    var crop: CropRule = .reference

    // Numeric options parse their next argument unconditionally, so `--epochs -3` reaches validate()
    // and fails with the range error instead of "missing value".
    func validate() throws {
        try NumericFlag.atLeast(epochs, 1, flag: "--epochs")
        try NumericFlag.atLeast(batch, 1, flag: "--batch")
        try NumericFlag.above(lr, 0, flag: "--lr")
    }

    /// The training settings these flags give (the fold's initial weights as `initRNG` says, per seed).
    func trainingConfig(initRNG: InitialisationRNG = .splitmix) -> TrainingConfig {
        TrainingConfig(epochs: epochs, batchSize: batch, learningRate: lr, order: order, loss: loss,
                       initRNG: initRNG, initScope: .seed)
    }
}

extension LossKind: ExpressibleByArgument {}
extension TrainingOrder: ExpressibleByArgument {}
extension InitialisationRNG: ExpressibleByArgument {}
extension CropRule: ExpressibleByArgument {}
