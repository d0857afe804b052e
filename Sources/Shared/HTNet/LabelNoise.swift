import Tensor

/// Symmetric label noise for robustness studies: round(fraction x n) training samples, chosen
/// without replacement, each get a class drawn uniformly from the other classes. The draw depends
/// on the task's seed keys only, so a worker count cannot change it.
public enum LabelNoise {
    public static func flip(_ labels: [Int], fraction: Double, classes: Int, rng: inout DeterministicRNG) -> [Int] {
        precondition(fraction >= 0 && fraction <= 1 && classes >= 2)
        let count = Int((fraction * Double(labels.count)).rounded())
        guard count > 0 else { return labels }
        var order = Array(labels.indices)
        order.shuffle(using: &rng)
        var out = labels
        for i in order.prefix(count) {
            let other = rng.below(classes - 1)
            out[i] = other >= labels[i] ? other + 1 : other
        }
        return out
    }

    /// A task's training labels as every fold trainer (HTNet's, its fold batches, DDAMFN's) trains on
    /// them: `fraction` flipped with the task's own stream, DeterministicRNG(keys: seedKeys +
    /// [FoldTrainer.labelNoiseStream]), so the same task flips the same samples to the same classes
    /// whichever architecture trains it.
    public static func taskLabels(_ labels: [Int], fraction: Double, classes: Int, seedKeys: [UInt64]) -> [Int] {
        var rng = DeterministicRNG(keys: seedKeys + [FoldTrainer.labelNoiseStream])
        return flip(labels, fraction: fraction, classes: classes, rng: &rng)
    }
}
