/// Training keys that only DDAMFN folds read (`model.arch: ddamfn`; `weight_decay` is shared: AdamW's
/// decoupled decay for HTNet, torch's coupled decay for DDAMFN). They live in `TrainingConfig`
/// because an experiment's `training:` mapping is one type for every architecture; the experiment
/// file rejects them for HTNet variants.

/// `training.optimizer`.
public enum OptimizerKind: String, Codable, Sendable, Hashable, CaseIterable {
    /// torch.optim.SGD: momentum, coupled weight decay, dampening 0, not Nesterov (the reference's).
    case sgd
    /// torch.optim.Adam (betas 0.9 / 0.999, eps 1e-8); weight_decay adds wd x w to the gradient as torch does.
    case adam
}

/// `training.face_augment`: the reference's training transforms, each switchable. Missing keys are on.
/// Conventions (torchvision's): `crop` pads 8 pixels of black and takes a random 112x112 window (the
/// reference applies it with rotation at p 0.2; no rotation here), `flip` mirrors left-right at p 0.5,
/// `erasing` blanks one rectangle at p 0.5 (area 2-25 % of the image, aspect 0.3-3.3, value 0 after
/// normalisation).
public struct FaceAugmentation: Codable, Sendable, Hashable {
    public var crop: Bool
    public var flip: Bool
    public var erasing: Bool
    public init(crop: Bool = true, flip: Bool = true, erasing: Bool = true) {
        self.crop = crop
        self.flip = flip
        self.erasing = erasing
    }
    enum CodingKeys: String, CodingKey { case crop, flip, erasing }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        crop = try c.decodeIfPresent(Bool.self, forKey: .crop) ?? true
        flip = try c.decodeIfPresent(Bool.self, forKey: .flip) ?? true
        erasing = try c.decodeIfPresent(Bool.self, forKey: .erasing) ?? true
    }
    public var description: String {
        let on = [crop ? "crop" : nil, flip ? "flip" : nil, erasing ? "erasing" : nil].compactMap { $0 }
        return on.isEmpty ? "none" : on.joined(separator: ", ")
    }
}

extension TrainingConfig {
    /// The DDAMFN-only keys this configuration sets, for the experiment file's HTNet check.
    public var ddamfnOnlyKeys: [String] {
        [optimizer != nil ? "optimizer" : nil, momentum != nil ? "momentum" : nil,
         attentionWeight != nil ? "attention_weight" : nil, faceAugment != nil ? "face_augment" : nil].compactMap { $0 }
    }
}
