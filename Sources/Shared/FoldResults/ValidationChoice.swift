/// The validation-selected epoch (`epoch_selection: validation`) as a fold trains: the epoch with the
/// best accuracy on the inner validation set, ties to the later epoch (HTNet's and the best-test
/// rule's convention), carrying that epoch's test logits. The test logits are only carried, never
/// read, so the choice cannot see the test labels. Architecture-neutral (both fold trainers keep one); its three values are what a fold state must save to resume the choice.
public struct ValidationChoice: Equatable, Sendable {
    /// 1-based; 0 before the first offer.
    public private(set) var epoch: Int
    /// Validation accuracy of `epoch`; -1 before the first offer.
    public private(set) var accuracy: Double
    /// [test sample][classes] of `epoch`.
    public private(set) var testLogits: [[Float]]

    public init(epoch: Int = 0, accuracy: Double = -1, testLogits: [[Float]] = []) {
        self.epoch = epoch
        self.accuracy = accuracy
        self.testLogits = testLogits
    }

    /// Takes `epoch` when its validation accuracy is at least the best so far (so a tie goes to the
    /// later epoch); true when it was taken (the caller keeps that epoch's weights, if it keeps any).
    @discardableResult
    public mutating func offer(epoch: Int, accuracy: Double, testLogits: [[Float]]) -> Bool {
        guard accuracy >= self.accuracy else { return false }
        self.epoch = epoch
        self.accuracy = accuracy
        self.testLogits = testLogits
        return true
    }
}
