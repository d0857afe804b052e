/// The shape of a DDAMFN model: the MixFeatureNet backbone's stage table, the number of
/// dual-direction attention heads and of classes. The defaults are the reference's
/// (ArnabKumarRoy02/fer_dual_attention: 9 blocks in the 14x14 stage; the authors use 16).
public struct DDAMFNConfig: Codable, Sendable, Equatable {
    /// One backbone stage of MixBlocks: the first block changes the width (and the resolution when
    /// `stride` is 2), the `repeats` that follow keep it and add their input back (residual).
    public struct MixStage: Codable, Sendable, Equatable {
        public var input: Int, output: Int, expansion: Int
        public var kernels: [Int], split: [Int], stride: Int, attentionWidth: Int
        public init(input: Int, output: Int, expansion: Int, kernels: [Int], split: [Int], stride: Int, attentionWidth: Int) {
            self.input = input; self.output = output; self.expansion = expansion
            self.kernels = kernels; self.split = split; self.stride = stride; self.attentionWidth = attentionWidth
        }
    }

    public var classes: Int
    public var heads: Int
    /// Blocks of the 14x14 residual stage (`features.5`); 9 in the reference, 16 in the authors' code.
    public var conv4Blocks: Int
    /// Input side: the backbone halves it four times down to the heads' 7x7 map.
    public static let imageSize = 112

    public init(classes: Int = 7, heads: Int = 2, conv4Blocks: Int = 9) {
        self.classes = classes
        self.heads = heads
        self.conv4Blocks = conv4Blocks
    }

    /// Experiment-file keys (`model:` with `arch: ddamfn`), named as the reference's arguments.
    enum CodingKeys: String, CodingKey { case classes = "num_classes", heads = "num_heads", conv4Blocks = "conv4_blocks" }

    /// Every key optional: missing keys keep the reference's values.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = DDAMFNConfig()
        classes = try c.decodeIfPresent(Int.self, forKey: .classes) ?? d.classes
        heads = try c.decodeIfPresent(Int.self, forKey: .heads) ?? d.heads
        conv4Blocks = try c.decodeIfPresent(Int.self, forKey: .conv4Blocks) ?? d.conv4Blocks
    }


    /// Backbone MixBlocks in `features` order: (index, stage, residual repeats), as the reference
    /// builds them. Widths of the mixed groups follow torch's `_SplitChannels` (the first group takes
    /// the remainder).
    public var mixStages: [(index: Int, first: MixStage, repeats: Int, repeated: MixStage)] {
        [(2, MixStage(input: 64, output: 64, expansion: 128, kernels: [3, 5, 7], split: [64, 32, 32], stride: 2, attentionWidth: 8),
          9, MixStage(input: 64, output: 64, expansion: 128, kernels: [3, 5], split: [96, 32], stride: 1, attentionWidth: 8)),
         (4, MixStage(input: 64, output: 128, expansion: 256, kernels: [3, 5, 7], split: [128, 64, 64], stride: 2, attentionWidth: 8),
          conv4Blocks, MixStage(input: 128, output: 128, expansion: 256, kernels: [3, 5], split: [192, 64], stride: 1, attentionWidth: 8)),
         (6, MixStage(input: 128, output: 256, expansion: 1024, kernels: [3, 5, 7, 9], split: [256, 256, 256, 256], stride: 2, attentionWidth: 32),
          6, MixStage(input: 256, output: 256, expansion: 512, kernels: [3, 5, 7], split: [172, 170, 170], stride: 1, attentionWidth: 16))]
    }

    /// Channels of the backbone's output (the heads' input).
    public static let featureChannels = 512
    /// Side of the backbone's output map.
    public static let featureSide = 7
    /// Width of the head's attention bottleneck: max(8, 512 / 32).
    public static let headAttentionWidth = 16

    public func validationErrors() -> [String] {
        var errors: [String] = []
        if classes < 2 { errors.append("num_classes must be at least 2 (got \(classes))") }
        if heads < 1 { errors.append("num_heads must be at least 1 (got \(heads))") }
        if conv4Blocks < 0 { errors.append("conv4_blocks must not be negative (got \(conv4Blocks))") }
        return errors
    }
}
