import Foundation

/// The learning rate per epoch (`training.lr_schedule`), as PyTorch schedulers stepped once per
/// epoch give it: every step of epoch e (1-based, i = e - 1) uses
/// - warm-up, i < W (`warmup_epochs`): lr x (i + 1) / W (torch LinearLR(start_factor=1/W, total_iters=W-1));
/// - then, with j = i - W and T = epochs - W:
///   - constant: lr;
///   - cosine: min_lr + (lr - min_lr) (1 + cos(pi j / T)) / 2 (torch CosineAnnealingLR(T_max=T, eta_min=min_lr));
///   - step: lr x gamma^floor(j / step_size) (torch StepLR(step_size, gamma)).
public struct LearningRateSchedule: Codable, Equatable, Hashable, Sendable {
    public enum Kind: String, Codable, Sendable, CaseIterable { case constant, cosine, step }
    public var kind: Kind = .constant
    public var warmupEpochs: Int = 0
    public var minLR: Double = 0
    public var stepSize: Int = 10
    public var gamma: Double = 0.1

    public init(kind: Kind = .constant, warmupEpochs: Int = 0, minLR: Double = 0, stepSize: Int = 10, gamma: Double = 0.1) {
        self.kind = kind
        self.warmupEpochs = warmupEpochs
        self.minLR = minLR
        self.stepSize = stepSize
        self.gamma = gamma
    }

    enum CodingKeys: String, CodingKey { case kind, warmupEpochs = "warmup_epochs", minLR = "min_lr", stepSize = "step_size", gamma }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        kind = try c.decodeIfPresent(Kind.self, forKey: .kind) ?? .constant
        warmupEpochs = try c.decodeIfPresent(Int.self, forKey: .warmupEpochs) ?? 0
        minLR = try c.decodeIfPresent(Double.self, forKey: .minLR) ?? 0
        stepSize = try c.decodeIfPresent(Int.self, forKey: .stepSize) ?? 10
        gamma = try c.decodeIfPresent(Double.self, forKey: .gamma) ?? 0.1
    }

    public func rate(base: Float, epoch: Int, epochs: Int) -> Float {
        let i = epoch - 1, w = warmupEpochs
        if i < w { return Float(Double(base) * Double(i + 1) / Double(w)) }
        let j = i - w, t = max(1, epochs - w)
        switch kind {
        case .constant: return base
        case .cosine: return Float(minLR + (Double(base) - minLR) * (1 + cos(Double.pi * Double(j) / Double(t))) / 2)
        case .step: return Float(Double(base) * pow(gamma, Double(j / max(1, stepSize))))
        }
    }

    public func validationErrors() -> [(String, String)] {
        var out: [(String, String)] = []
        if warmupEpochs < 0 { out.append(("lr_schedule.warmup_epochs", "\(warmupEpochs) must be at least 0")) }
        if minLR < 0 { out.append(("lr_schedule.min_lr", "\(minLR) must be at least 0")) }
        if stepSize < 1 { out.append(("lr_schedule.step_size", "\(stepSize) must be at least 1")) }
        if !(gamma > 0) { out.append(("lr_schedule.gamma", "\(gamma) must be positive")) }
        return out
    }

    public var description: String {
        let warm = warmupEpochs > 0 ? "linear warm-up over \(warmupEpochs) epochs, then " : ""
        switch kind {
        case .constant: return warm + "constant"
        case .cosine: return warm + "cosine to \(minLR)"
        case .step: return warm + "x\(gamma) every \(stepSize) epochs"
        }
    }
}
