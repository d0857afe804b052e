import FoldResults

public enum LossKind: String, Codable, Sendable, CaseIterable {
    case crossEntropy = "cross-entropy"
    /// Cross-entropy weighted by inverse class frequency of the training fold (mean weight 1).
    case weightedCrossEntropy = "weighted-cross-entropy"
    /// Metric losses on the embedding (ProxyAnchorLoss, ArcFaceLoss, CosFaceLoss); prediction is
    /// the class vector nearest by cosine.
    case proxyAnchor = "proxy-anchor"
    case arcface
    case cosface

    public var isMetric: Bool { self == .proxyAnchor || self == .arcface || self == .cosface }
}

/// The unit of ArcFace's angular margin in experiment files.
public enum AngleUnit: String, Codable, Sendable, Hashable, CaseIterable {
    case degrees, radians
}

/// The order in which a fold's training samples form each epoch's batches (`training.order`).
public enum TrainingOrder: String, Codable, Sendable, CaseIterable {
    /// Dataset (CSV) order every epoch.
    case csv
    /// The reference script's order: all label-0 samples, then label 1, then label 2, ..., each
    /// group in dataset order (it reads `u_train/<label>/` folders one label after another).
    case classGrouped = "class-grouped"
    /// A fresh permutation of dataset order every epoch, from a stream keyed by the task and the
    /// epoch, so any worker count gives the same order.
    case shuffle

    public var reportLabel: String {
        switch self {
        case .csv: return "dataset (CSV) order"
        case .classGrouped: return "class-grouped (reference script's order)"
        case .shuffle: return "shuffled per epoch (seeded by task and epoch)"
        }
    }
}

public struct TrainingConfig: Codable, Equatable, Hashable, Sendable {
    public var epochs: Int = 800
    public var batchSize: Int = 256
    public var learningRate: Float = 5e-5
    public var order: TrainingOrder = .csv
    public var loss: LossKind = .crossEntropy
    /// Which generator draws the initial weights (`init_rng`).
    public var initRNG: InitialisationRNG = .splitmix
    /// Which tasks share one set of initial weights (`init_scope`).
    public var initScope: InitialisationScope = .fold
    /// Metric-loss hyper-parameters; nil means the loss's default (see `metricLoss`, `classVectorLRMultiplier`).
    /// Proxy Anchor: margin on the cosine (0.1) and alpha (32). ArcFace: angular margin (28.6, in
    /// `marginUnit`, degrees by default) and scale (64). CosFace: cosine margin (0.35) and scale (64).
    public var margin: Double?
    public var marginUnit: AngleUnit?
    public var scale: Double?
    public var alpha: Double?
    /// A linear projection of the pooled top feature to this many dimensions (metric losses only);
    /// nil uses the pooled feature itself as the embedding.
    public var embeddingSize: Int?
    /// The class vectors' learning rate is lr x this (Adam); default 100 for Proxy Anchor (its
    /// authors' convention for proxies), 1 for ArcFace and CosFace.
    public var classVectorLRMultiplier: Double?
    /// Fraction of training labels replaced by a different, uniformly drawn class, seeded per task
    /// (label-noise robustness); 0 trains on the true labels.
    public var labelNoise: Double = 0
    /// Input-noise robustness: after training, each fold's final model also scores its test inputs
    /// with Gaussian noise at these SNRs (InputNoise); nil or empty skips it. The noise of a sample
    /// depends on `noiseSeed`, the level and the sample only, so every variant, seed and worker
    /// count sees the same noisy inputs (paired comparisons per level).
    public var noiseSNR: [SNRLevel]?
    public var noiseSeed: Int = 0
    /// Training-input augmentation; nil trains on the inputs as they are.
    public var augment: AugmentationConfig?
    /// Decoupled weight decay (AdamW, torch.optim.AdamW's convention: every parameter p <- p (1 - lr wd)
    /// before the Adam step, lr including the schedule); nil or 0 is plain Adam. For DDAMFN
    /// (model.arch: ddamfn) it is torch's coupled weight decay of SGD / Adam (nil: 1e-4, the reference's).
    public var weightDecay: Double?
    /// Learning rate per epoch; nil is constant `lr`.
    public var lrSchedule: LearningRateSchedule?
    /// Fine-tuning: start every task from this checkpoint (absolute path; an experiment file's
    /// relative path is resolved against the file's folder) instead of fresh weights; a classifier
    /// head of another class count is drawn fresh from the task's stream. nil: fresh weights.
    public var initFrom: String?
    /// DDAMFN only (model.arch: ddamfn; see DDAMFNTrainingKeys.swift): the optimiser (nil: SGD, the
    /// reference's), SGD momentum (nil: 0.9), the attention loss weight (nil: 0.1) and the reference's
    /// face augmentation (nil: all on).
    public var optimizer: OptimizerKind?
    public var momentum: Double?
    public var attentionWeight: Double?
    public var faceAugment: FaceAugmentation?

    public init(epochs: Int = 800, batchSize: Int = 256, learningRate: Float = 5e-5,
                order: TrainingOrder = .csv, loss: LossKind = .crossEntropy,
                initRNG: InitialisationRNG = .splitmix, initScope: InitialisationScope = .fold,
                margin: Double? = nil, marginUnit: AngleUnit? = nil, scale: Double? = nil, alpha: Double? = nil,
                embeddingSize: Int? = nil, classVectorLRMultiplier: Double? = nil, labelNoise: Double = 0,
                noiseSNR: [SNRLevel]? = nil, noiseSeed: Int = 0) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.order = order
        self.loss = loss
        self.initRNG = initRNG
        self.initScope = initScope
        self.margin = margin
        self.marginUnit = marginUnit
        self.scale = scale
        self.alpha = alpha
        self.embeddingSize = embeddingSize
        self.classVectorLRMultiplier = classVectorLRMultiplier
        self.labelNoise = labelNoise
        self.noiseSNR = noiseSNR
        self.noiseSeed = noiseSeed
    }

    enum CodingKeys: String, CodingKey {
        case epochs, batchSize = "batch_size", learningRate = "lr", order, loss
        case initRNG = "init_rng", initScope = "init_scope"
        case margin, marginUnit = "margin_unit", scale, alpha, embeddingSize = "embedding_size"
        case classVectorLRMultiplier = "class_vector_lr_multiplier", labelNoise = "label_noise"
        case noiseSNR = "noise_snr_db", noiseSeed = "noise_seed"
        case augment, weightDecay = "weight_decay", lrSchedule = "lr_schedule"
        case initFrom = "init_from"
        case optimizer, momentum, attentionWeight = "attention_weight", faceAugment = "face_augment"
    }

    /// Every key optional (defaults above).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TrainingConfig()
        epochs = try c.decodeIfPresent(Int.self, forKey: .epochs) ?? d.epochs
        batchSize = try c.decodeIfPresent(Int.self, forKey: .batchSize) ?? d.batchSize
        learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate) ?? d.learningRate
        order = try c.decodeIfPresent(TrainingOrder.self, forKey: .order) ?? d.order
        loss = try c.decodeIfPresent(LossKind.self, forKey: .loss) ?? d.loss
        initRNG = try c.decodeIfPresent(InitialisationRNG.self, forKey: .initRNG) ?? d.initRNG
        initScope = try c.decodeIfPresent(InitialisationScope.self, forKey: .initScope) ?? d.initScope
        margin = try c.decodeIfPresent(Double.self, forKey: .margin)
        marginUnit = try c.decodeIfPresent(AngleUnit.self, forKey: .marginUnit)
        scale = try c.decodeIfPresent(Double.self, forKey: .scale)
        alpha = try c.decodeIfPresent(Double.self, forKey: .alpha)
        embeddingSize = try c.decodeIfPresent(Int.self, forKey: .embeddingSize)
        classVectorLRMultiplier = try c.decodeIfPresent(Double.self, forKey: .classVectorLRMultiplier)
        labelNoise = try c.decodeIfPresent(Double.self, forKey: .labelNoise) ?? d.labelNoise
        noiseSNR = try c.decodeIfPresent([SNRLevel].self, forKey: .noiseSNR)
        noiseSeed = try c.decodeIfPresent(Int.self, forKey: .noiseSeed) ?? d.noiseSeed
        augment = try c.decodeIfPresent(AugmentationConfig.self, forKey: .augment)
        weightDecay = try c.decodeIfPresent(Double.self, forKey: .weightDecay)
        lrSchedule = try c.decodeIfPresent(LearningRateSchedule.self, forKey: .lrSchedule)
        initFrom = try c.decodeIfPresent(String.self, forKey: .initFrom)
        optimizer = try c.decodeIfPresent(OptimizerKind.self, forKey: .optimizer)
        momentum = try c.decodeIfPresent(Double.self, forKey: .momentum)
        attentionWeight = try c.decodeIfPresent(Double.self, forKey: .attentionWeight)
        faceAugment = try c.decodeIfPresent(FaceAugmentation.self, forKey: .faceAugment)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(epochs, forKey: .epochs)
        try c.encode(batchSize, forKey: .batchSize)
        try c.encode(learningRate, forKey: .learningRate)
        try c.encode(order, forKey: .order)
        try c.encode(loss, forKey: .loss)
        try c.encode(initRNG, forKey: .initRNG)
        try c.encode(initScope, forKey: .initScope)
        // The study's keys are written only when used, so configurations without them encode (and
        // hash into experiment identities) as they did before.
        try c.encodeIfPresent(margin, forKey: .margin)
        try c.encodeIfPresent(marginUnit, forKey: .marginUnit)
        try c.encodeIfPresent(scale, forKey: .scale)
        try c.encodeIfPresent(alpha, forKey: .alpha)
        try c.encodeIfPresent(embeddingSize, forKey: .embeddingSize)
        try c.encodeIfPresent(classVectorLRMultiplier, forKey: .classVectorLRMultiplier)
        if labelNoise != 0 { try c.encode(labelNoise, forKey: .labelNoise) }
        try c.encodeIfPresent(noiseSNR, forKey: .noiseSNR)
        if noiseSNR != nil || noiseSeed != 0 { try c.encode(noiseSeed, forKey: .noiseSeed) }
        try c.encodeIfPresent(augment, forKey: .augment)
        try c.encodeIfPresent(weightDecay, forKey: .weightDecay)
        try c.encodeIfPresent(lrSchedule, forKey: .lrSchedule)
        try c.encodeIfPresent(initFrom, forKey: .initFrom)
        try c.encodeIfPresent(optimizer, forKey: .optimizer)
        try c.encodeIfPresent(momentum, forKey: .momentum)
        try c.encodeIfPresent(attentionWeight, forKey: .attentionWeight)
        try c.encodeIfPresent(faceAugment, forKey: .faceAugment)
    }

    /// One line for reports and journals: the order and the starting point.
    public var protocolDescription: String {
        var text = "order: \(order.rawValue); init_rng: \(initRNG.rawValue); init_scope: \(initScope.rawValue)"
        if let augment { text += "; augment: \(augment.description)" }
        if optimizer == nil, let weightDecay, weightDecay > 0 { text += "; AdamW weight decay \(weightDecay) (decoupled)" }
        if let lrSchedule { text += "; lr schedule: \(lrSchedule.description)" }
        return text
    }

    /// Problems with the augmentation, optimiser and schedule settings, named by key.
    public func optimisationSettingErrors() -> [(String, String)] {
        var out = augment?.validationErrors() ?? []
        if let wd = weightDecay, !(wd >= 0 && wd.isFinite) { out.append(("weight_decay", "\(wd) must be at least 0")) }
        out += lrSchedule?.validationErrors() ?? []
        if augment?.mixup != nil, loss != .crossEntropy {
            out.append(("augment.mixup", "needs loss: cross-entropy (its loss is the soft-target cross-entropy)"))
        }
        return out
    }
}

public enum FoldTrainingError: Error, CustomStringConvertible {
    case nonFiniteLoss(epoch: Int, step: Int)
    case badData(String)
    /// `FoldTrainer.shouldStop` asked to stop (a worker leaving on a shutdown or a signal).
    case cancelled(epoch: Int)
    public var description: String {
        switch self {
        case let .cancelled(epoch): return "stopped during epoch \(epoch) on request"
        case let .nonFiniteLoss(epoch, step): return "training diverged: non-finite loss at epoch \(epoch), step \(step)"
        case let .badData(why): return "bad fold data: \(why)"
        }
    }
}
