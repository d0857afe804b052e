/// What one fold task trains on: inputs are [n, channels, image, image] float32 (BGR, 0..255),
/// flattened sample by sample, as the dataset module composes them. Architecture-neutral: every
/// fold trainer (HTNet, DDAMFN) takes it, so it lives beside the results they produce.
public struct FoldData: Sendable {
    public var trainInputs: [Float]
    public var trainLabels: [Int]
    public var testInputs: [Float]
    public var testLabels: [Int]
    /// A stable key per test sample (a hash of its name), which seeds its input noise; nil uses
    /// the position in the test set.
    public var testSampleKeys: [UInt64]?
    /// An inner validation set (samples of training-side subjects held out of training) that picks
    /// the validation-selected epoch; empty for none. Never mixed with the test set.
    public var validationInputs: [Float] = []
    public var validationLabels: [Int] = []
    /// Standardised handcrafted features [n, featureCount] of the training, test and validation
    /// samples, for fused HTNet models (HTNetConfig.fusion); nil otherwise.
    public var trainFeatures: [Float]?
    public var testFeatures: [Float]?
    public var validationFeatures: [Float]?
    public var featureCount: Int { guard let t = trainFeatures, !trainLabels.isEmpty else { return 0 }; return t.count / trainLabels.count }
    public init(trainInputs: [Float], trainLabels: [Int], testInputs: [Float], testLabels: [Int], testSampleKeys: [UInt64]? = nil,
                validationInputs: [Float] = [], validationLabels: [Int] = [],
                trainFeatures: [Float]? = nil, testFeatures: [Float]? = nil, validationFeatures: [Float]? = nil) {
        self.validationInputs = validationInputs
        self.validationLabels = validationLabels
        self.trainFeatures = trainFeatures
        self.testFeatures = testFeatures
        self.validationFeatures = validationFeatures
        self.trainInputs = trainInputs
        self.trainLabels = trainLabels
        self.testInputs = testInputs
        self.testLabels = testLabels
        self.testSampleKeys = testSampleKeys
    }
}
