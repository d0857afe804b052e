/// How TrainingConfig's loss settings become a loss, with each loss's defaults and the settings
/// that do not apply to it refused (a margin given to cross-entropy is a mistake, not a no-op).
extension TrainingConfig {
    /// The metric loss with its hyper-parameters (defaults where unset); nil for cross-entropy.
    public var metricLoss: (any MetricLoss)? {
        switch loss {
        case .crossEntropy, .weightedCrossEntropy: return nil
        case .proxyAnchor: return ProxyAnchorLoss(margin: margin ?? 0.1, alpha: alpha ?? 32)
        case .arcface:
            let m = margin ?? 28.6
            return ArcFaceLoss(margin: (marginUnit ?? .degrees) == .degrees ? .degrees(m) : .radians(m), scale: scale ?? 64)
        case .cosface: return CosFaceLoss(margin: margin ?? 0.35, scale: scale ?? 64)
        }
    }

    /// The class vectors' learning-rate multiplier in effect (100 for Proxy Anchor, 1 otherwise, unless set).
    public var effectiveClassVectorLRMultiplier: Double {
        classVectorLRMultiplier ?? (loss == .proxyAnchor ? 100 : 1)
    }

    /// The objective for a fold whose (possibly noised) training labels are `trainLabels`.
    public func objective(trainLabels: [Int], classes: Int) -> TrainingObjective {
        if let metric = metricLoss { return .metric(metric) }
        return .crossEntropy(classWeights: loss == .weightedCrossEntropy
                             ? SoftmaxCrossEntropy.inverseFrequencyWeights(labels: trainLabels, classes: classes) : nil)
    }

    /// In words, for reports: the loss with its settings and how a prediction is made.
    public var predictionRule: String { lossAndRule + labelNoiseNote }

    /// "; trained with N% of each fold's labels flipped (seeded)", or "" without label noise.
    public var labelNoiseNote: String {
        labelNoise > 0 ? String(format: "; trained with %g%% of each fold's labels flipped (seeded)", 100 * labelNoise) : ""
    }

    private var lossAndRule: String {
        switch loss {
        case .crossEntropy: return "cross-entropy; prediction = arg-max of the logits"
        case .weightedCrossEntropy: return "weighted cross-entropy (inverse class frequency); prediction = arg-max of the logits"
        case .proxyAnchor, .arcface, .cosface:
            let settings: String
            switch metricLoss {
            case let l as ProxyAnchorLoss: settings = "Proxy Anchor (margin \(l.margin), alpha \(l.alpha))"
            case let l as ArcFaceLoss:
                let unit: String
                switch l.margin {
                case let .degrees(d): unit = "\(d) degrees"
                case let .radians(r): unit = "\(r) rad"
                }
                settings = "ArcFace (angular margin \(unit) = \(String(format: "%.4f", l.margin.radians)) rad, scale \(l.scale))"
            case let l as CosFaceLoss: settings = "CosFace (cosine margin \(l.margin), scale \(l.scale))"
            default: settings = loss.rawValue
            }
            let embedding = embeddingSize.map { "a linear projection to \($0) dims of " } ?? ""
            return settings + "; embedding = \(embedding)the pooled, LayerNormed top feature; class vectors at \(effectiveClassVectorLRMultiplier)x lr; "
                + "prediction = the class whose \(loss == .proxyAnchor ? "proxy" : "weight vector") has the largest cosine with the embedding"
        }
    }

    /// The model head this configuration trains.
    public var head: ModelHead {
        guard let metric = metricLoss else { return .classifier }
        return .metric(embeddingSize: embeddingSize, classVectors: metric.classVectorLayout)
    }

    /// Problems with the loss settings, as (key, message) pairs a user can act on.
    public func lossSettingErrors() -> [(key: String, message: String)] {
        var errors: [(String, String)] = []
        func refuse(_ key: String, _ present: Bool, _ allowed: [LossKind]) {
            if present && !allowed.contains(loss) {
                errors.append((key, "does not apply to loss '\(loss.rawValue)' (only to \(allowed.map(\.rawValue).joined(separator: ", ")))"))
            }
        }
        refuse("margin", margin != nil, [.proxyAnchor, .arcface, .cosface])
        refuse("margin_unit", marginUnit != nil, [.arcface])
        refuse("scale", scale != nil, [.arcface, .cosface])
        refuse("alpha", alpha != nil, [.proxyAnchor])
        refuse("embedding_size", embeddingSize != nil, [.proxyAnchor, .arcface, .cosface])
        refuse("class_vector_lr_multiplier", classVectorLRMultiplier != nil, [.proxyAnchor, .arcface, .cosface])
        if let m = margin, !(m.isFinite && m >= 0) { errors.append(("margin", "\(m) must be a finite number >= 0")) }
        if let s = scale, !(s.isFinite && s > 0) { errors.append(("scale", "\(s) must be a positive number")) }
        if let a = alpha, !(a.isFinite && a > 0) { errors.append(("alpha", "\(a) must be a positive number")) }
        if let e = embeddingSize, e < 1 { errors.append(("embedding_size", "\(e) must be at least 1")) }
        if let k = classVectorLRMultiplier, !(k.isFinite && k > 0) {
            errors.append(("class_vector_lr_multiplier", "\(k) must be a positive number"))
        }
        return errors + noiseSettingErrors()
    }

    /// Problems with the noise settings (label_noise, noise_snr_db, noise_seed), which every
    /// architecture takes.
    public func noiseSettingErrors() -> [(key: String, message: String)] {
        var errors: [(String, String)] = []
        if !(labelNoise.isFinite && labelNoise >= 0 && labelNoise <= 1) {
            errors.append(("label_noise", "\(labelNoise) must be a fraction between 0 and 1"))
        }
        if noiseSeed < 0 { errors.append(("noise_seed", "\(noiseSeed) must be a non-negative integer")) }
        if let levels = noiseSNR, Set(levels).count != levels.count { errors.append(("noise_snr_db", "repeats a level")) }
        return errors
    }
}
