/// Training-time input augmentation (`training.augment`), chosen for tasks where left-right
/// asymmetry is the signal (facial palsy grading): small affine jitter, brightness/contrast,
/// cutout, mixup, and a horizontal flip only when `flip: true` is asked for. Each transform has a
/// probability per sample (mixup: per batch) and a strength; absent transforms are off. Draws come
/// from streams keyed by the task's seedKeys, the epoch and the sample's position in the fold, so a
/// task augments identically on any worker count. Test and validation inputs are never augmented.
///
///     augment: {affine: {probability: 0.5, rotation: 5, scale: 0.05, translation: 1},
///               brightness_contrast: {probability: 0.5, brightness: 0.1, contrast: 0.1},
///               cutout: {probability: 0.3, size: 6}, mixup: {probability: 0.5, alpha: 0.2}}
public struct AugmentationConfig: Codable, Equatable, Hashable, Sendable {
    /// Rotation up to ±`rotation` degrees, scale by 1 ± `scale`, shift up to ±`translation` pixels,
    /// applied to each 14x14 region tile about its own centre (the tiles stay where they are;
    /// bilinear sampling, edges replicated).
    public struct Affine: Codable, Equatable, Hashable, Sendable {
        public var probability: Double = 0.5
        public var rotation: Double = 5
        public var scale: Double = 0.05
        public var translation: Double = 1
    }
    /// x -> (x - mean) * c + mean + b with c uniform in 1 ± `contrast` and b uniform in ±`brightness`
    /// x 255 (mean over the sample's pixels and channels), clamped to 0...255.
    public struct BrightnessContrast: Codable, Equatable, Hashable, Sendable {
        public var probability: Double = 0.5
        public var brightness: Double = 0.1
        public var contrast: Double = 0.1
    }
    /// Random erasing: a `size` x `size` square (all channels) at a uniform position, set to the
    /// sample's mean value.
    public struct Cutout: Codable, Equatable, Hashable, Sendable {
        public var probability: Double = 0.5
        public var size: Int = 6
    }
    /// Mixup (Zhang et al. 2018): with `probability` per batch, x = lam x_i + (1 - lam) x_j and the
    /// soft target lam e_{y_i} + (1 - lam) e_{y_j}, with j a seeded permutation of the batch and
    /// lam ~ Beta(alpha, alpha); the loss is the soft-target cross-entropy (cross-entropy loss only).
    public struct Mixup: Codable, Equatable, Hashable, Sendable {
        public var probability: Double = 0.5
        public var alpha: Double = 0.2
    }

    public var affine: Affine?
    public var brightnessContrast: BrightnessContrast?
    public var cutout: Cutout?
    public var mixup: Mixup?
    /// Mirror the face left-right (the whole composed input, which swaps the left and right region
    /// tiles and mirrors each) with probability 0.5. Off unless asked for: it destroys the sign of an
    /// asymmetry.
    public var flip: Bool = false

    public init(affine: Affine? = nil, brightnessContrast: BrightnessContrast? = nil, cutout: Cutout? = nil,
                mixup: Mixup? = nil, flip: Bool = false) {
        self.affine = affine
        self.brightnessContrast = brightnessContrast
        self.cutout = cutout
        self.mixup = mixup
        self.flip = flip
    }

    enum CodingKeys: String, CodingKey {
        case affine, brightnessContrast = "brightness_contrast", cutout, mixup, flip
    }

    /// One line for reports.
    public var description: String {
        var parts: [String] = []
        if let a = affine { parts.append("affine p \(a.probability) (rotation ±\(a.rotation)°, scale ±\(a.scale), shift ±\(a.translation) px)") }
        if let b = brightnessContrast { parts.append("brightness/contrast p \(b.probability) (±\(b.brightness) x 255, x 1 ± \(b.contrast))") }
        if let c = cutout { parts.append("cutout p \(c.probability) (\(c.size)x\(c.size) px)") }
        if let m = mixup { parts.append("mixup p \(m.probability) (alpha \(m.alpha))") }
        parts.append(flip ? "horizontal flip p 0.5" : "no flip")
        return parts.joined(separator: "; ")
    }
}

/// Every key optional with the defaults above; unknown keys are errors (a typo must not switch a
/// transform off silently).
extension AugmentationConfig.Affine {
    enum CodingKeys: String, CodingKey { case probability, rotation, scale, translation }
    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, known: ["probability", "rotation", "scale", "translation"], in: "augment.affine")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        probability = try c.decodeIfPresent(Double.self, forKey: .probability) ?? 0.5
        rotation = try c.decodeIfPresent(Double.self, forKey: .rotation) ?? 5
        scale = try c.decodeIfPresent(Double.self, forKey: .scale) ?? 0.05
        translation = try c.decodeIfPresent(Double.self, forKey: .translation) ?? 1
    }
}

extension AugmentationConfig.BrightnessContrast {
    enum CodingKeys: String, CodingKey { case probability, brightness, contrast }
    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, known: ["probability", "brightness", "contrast"], in: "augment.brightness_contrast")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        probability = try c.decodeIfPresent(Double.self, forKey: .probability) ?? 0.5
        brightness = try c.decodeIfPresent(Double.self, forKey: .brightness) ?? 0.1
        contrast = try c.decodeIfPresent(Double.self, forKey: .contrast) ?? 0.1
    }
}

extension AugmentationConfig.Cutout {
    enum CodingKeys: String, CodingKey { case probability, size }
    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, known: ["probability", "size"], in: "augment.cutout")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        probability = try c.decodeIfPresent(Double.self, forKey: .probability) ?? 0.5
        size = try c.decodeIfPresent(Int.self, forKey: .size) ?? 6
    }
}

extension AugmentationConfig.Mixup {
    enum CodingKeys: String, CodingKey { case probability, alpha }
    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, known: ["probability", "alpha"], in: "augment.mixup")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        probability = try c.decodeIfPresent(Double.self, forKey: .probability) ?? 0.5
        alpha = try c.decodeIfPresent(Double.self, forKey: .alpha) ?? 0.2
    }
}

extension AugmentationConfig {
    public init(from decoder: Decoder) throws {
        try rejectUnknownKeys(decoder, known: ["affine", "brightness_contrast", "cutout", "mixup", "flip"], in: "augment")
        let c = try decoder.container(keyedBy: CodingKeys.self)
        affine = try c.decodeIfPresent(Affine.self, forKey: .affine)
        brightnessContrast = try c.decodeIfPresent(BrightnessContrast.self, forKey: .brightnessContrast)
        cutout = try c.decodeIfPresent(Cutout.self, forKey: .cutout)
        mixup = try c.decodeIfPresent(Mixup.self, forKey: .mixup)
        flip = try c.decodeIfPresent(Bool.self, forKey: .flip) ?? false
    }

    /// Problems with the values, named by key.
    public func validationErrors() -> [(String, String)] {
        var out: [(String, String)] = []
        func probability(_ p: Double, _ key: String) { if !(0...1).contains(p) { out.append((key + ".probability", "\(p) must be between 0 and 1")) } }
        if let a = affine {
            probability(a.probability, "augment.affine")
            if !(0...45).contains(a.rotation) { out.append(("augment.affine.rotation", "\(a.rotation) must be 0...45 degrees")) }
            if !(0..<0.5).contains(a.scale) { out.append(("augment.affine.scale", "\(a.scale) must be in [0, 0.5)")) }
            if !(0...7).contains(a.translation) { out.append(("augment.affine.translation", "\(a.translation) must be 0...7 pixels")) }
        }
        if let b = brightnessContrast {
            probability(b.probability, "augment.brightness_contrast")
            if !(0...1).contains(b.brightness) { out.append(("augment.brightness_contrast.brightness", "\(b.brightness) must be 0...1")) }
            if !(0..<1).contains(b.contrast) { out.append(("augment.brightness_contrast.contrast", "\(b.contrast) must be in [0, 1)")) }
        }
        if let c = cutout {
            probability(c.probability, "augment.cutout")
            if !(1...28).contains(c.size) { out.append(("augment.cutout.size", "\(c.size) must be 1...28 pixels")) }
        }
        if let m = mixup {
            probability(m.probability, "augment.mixup")
            if !(m.alpha > 0) { out.append(("augment.mixup.alpha", "\(m.alpha) must be positive")) }
        }
        return out
    }
}

private struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

private func rejectUnknownKeys(_ decoder: Decoder, known: [String], in field: String) throws {
    let keys = try decoder.container(keyedBy: AnyCodingKey.self).allKeys.map(\.stringValue)
    if let unknown = keys.sorted().first(where: { !known.contains($0) }) {
        throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                debugDescription: "unknown key '\(unknown)' in \(field) (known: \(known.joined(separator: ", ")))"))
    }
}
