/// The hyper-parameters of HTNet (docs/DESIGN.md section 3). Defaults are the paper's configuration.
public struct HTNetConfig: Codable, Equatable, Hashable, Sendable {
    public var imageSize: Int = 28
    public var patchSize: Int = 7
    public var dim: Int = 256
    public var heads: Int = 3
    public var numHierarchies: Int = 3
    public var blockRepeats: [Int] = [2, 2, 10]
    public var mlpMult: Int = 4
    public var channels: Int = 3
    public var numClasses: Int = 3
    /// `fusion`: how handcrafted features join the embedding (FusionKind); nil is the reference
    /// model (as is `none`). `fusion_width`: the projection width d of the fusions that project
    /// (default `defaultFusionWidth`). Both encoded only when set, so other experiments keep their identity.
    public var fusion: FusionKind?
    public var fusionWidth: Int?
    public static let defaultFusionWidth = 32

    public init(imageSize: Int = 28, patchSize: Int = 7, dim: Int = 256, heads: Int = 3,
                numHierarchies: Int = 3, blockRepeats: [Int] = [2, 2, 10], mlpMult: Int = 4,
                channels: Int = 3, numClasses: Int = 3) {
        self.imageSize = imageSize
        self.patchSize = patchSize
        self.dim = dim
        self.heads = heads
        self.numHierarchies = numHierarchies
        self.blockRepeats = blockRepeats
        self.mlpMult = mlpMult
        self.channels = channels
        self.numClasses = numClasses
    }

    enum CodingKeys: String, CodingKey {
        case imageSize = "image_size", patchSize = "patch_size", dim, heads
        case numHierarchies = "num_hierarchies", blockRepeats = "block_repeats"
        case mlpMult = "mlp_mult", channels, numClasses = "num_classes"
        case fusion, fusionWidth = "fusion_width"
    }

    /// Decodes with every key optional: missing keys keep the paper's values.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = HTNetConfig()
        imageSize = try c.decodeIfPresent(Int.self, forKey: .imageSize) ?? d.imageSize
        patchSize = try c.decodeIfPresent(Int.self, forKey: .patchSize) ?? d.patchSize
        dim = try c.decodeIfPresent(Int.self, forKey: .dim) ?? d.dim
        heads = try c.decodeIfPresent(Int.self, forKey: .heads) ?? d.heads
        numHierarchies = try c.decodeIfPresent(Int.self, forKey: .numHierarchies) ?? d.numHierarchies
        blockRepeats = try c.decodeIfPresent([Int].self, forKey: .blockRepeats) ?? d.blockRepeats
        mlpMult = try c.decodeIfPresent(Int.self, forKey: .mlpMult) ?? d.mlpMult
        channels = try c.decodeIfPresent(Int.self, forKey: .channels) ?? d.channels
        numClasses = try c.decodeIfPresent(Int.self, forKey: .numClasses) ?? d.numClasses
        fusion = try c.decodeIfPresent(FusionKind.self, forKey: .fusion)
        fusionWidth = try c.decodeIfPresent(Int.self, forKey: .fusionWidth)
    }

    /// Side of the patch grid.
    public var fmap: Int { imageSize / patchSize }
    public var patchDim: Int { channels * patchSize * patchSize }
    /// Tokens per block; the same at every level (docs/DESIGN.md section 3).
    public var seqLen: Int { let s = fmap / (1 << (numHierarchies - 1)); return s * s }
    public func channels(level: Int) -> Int { dim << level }
    public func heads(level: Int) -> Int { heads << level }
    public func dimHead(level: Int) -> Int { channels(level: level) / heads(level: level) }
    public func innerDim(level: Int) -> Int { dimHead(level: level) * heads(level: level) }
    /// Side of the feature map at a level (halved by every aggregate's max-pool).
    public func side(level: Int) -> Int {
        var s = fmap
        for _ in 0..<level { s = (s + 2 - 3) / 2 + 1 }
        return s
    }
    public var topChannels: Int { channels(level: numHierarchies - 1) }

    /// Whether this model reads per-sample handcrafted features.
    public var usesFeatures: Bool { (fusion ?? .none).usesFeatures }

    /// The fusion a model for `featureCount` features builds (nil for none).
    public func fusionSpec(featureCount: Int) -> FusionSpec? {
        guard let kind = fusion, kind != .none else { return nil }
        return FusionSpec(kind: kind, width: fusionWidth ?? HTNetConfig.defaultFusionWidth, featureCount: featureCount)
    }

    /// Problems that make the configuration unusable, in words a user can act on.
    public func validationErrors() -> [String] {
        var errors: [String] = []
        if imageSize <= 0 || patchSize <= 0 || imageSize % patchSize != 0 {
            errors.append("image_size \(imageSize) must be a positive multiple of patch_size \(patchSize)")
        }
        if numHierarchies < 1 { errors.append("num_hierarchies must be at least 1") }
        if blockRepeats.count != numHierarchies {
            errors.append("block_repeats has \(blockRepeats.count) entries but num_hierarchies is \(numHierarchies)")
        }
        if blockRepeats.contains(where: { $0 < 1 }) { errors.append("every block_repeats entry must be at least 1") }
        if dim < 1 || heads < 1 || dim / heads < 1 { errors.append("dim \(dim) must be at least heads \(heads)") }
        if mlpMult < 1 { errors.append("mlp_mult must be at least 1") }
        if numClasses < 2 { errors.append("num_classes must be at least 2") }
        if let w = fusionWidth, w < 1 { errors.append("fusion_width \(w) must be at least 1") }
        if errors.isEmpty {
            let blocks = 1 << (numHierarchies - 1)
            if fmap % blocks != 0 {
                errors.append("the \(fmap)x\(fmap) patch grid cannot be cut into \(blocks)x\(blocks) blocks (num_hierarchies \(numHierarchies))")
            } else {
                // Every level's map must still split into its blocks after the max-pools.
                for level in 0..<numHierarchies {
                    let bs = 1 << (numHierarchies - 1 - level)
                    if side(level: level) % bs != 0 || side(level: level) / bs * side(level: level) / bs != seqLen {
                        errors.append("level \(level): a \(side(level: level))x\(side(level: level)) map does not split into \(bs)x\(bs) blocks of \(seqLen) tokens")
                    }
                }
            }
        }
        return errors
    }
}
