/// How the HTNet embedding e [C] (the pooled, LayerNormed top feature) and a sample's standardised
/// handcrafted feature vector f [F] become the classifier's input (`model.fusion`).
///
/// Fifteen strategies: the two single-source baselines (`none`: e alone, the plain HTNet; and
/// `feature-only`: f alone) plus thirteen fusions, nine early (a fused vector z, then the classifier
/// mlp_head.2: logits = W z + b) and four late (two linear heads, one per source, combined as
/// probabilities; the fusion's output is the log of the combined distribution, so cross-entropy on it
/// is the negative log-likelihood of the combined prediction and training is unchanged).
/// Notation: P_e e = W_e e + b_e and P_f f = W_f f + b_f project both sources to the fusion width d;
/// sigma is the logistic function; products and max are element-wise.
public enum FusionKind: String, Codable, Sendable, CaseIterable, Hashable {
    /// z = e (no features; the plain HTNet, parameter layout unchanged).
    case none
    /// z = f (the handcrafted baseline: a linear classifier on the standardised features).
    case featureOnly = "feature-only"
    /// z = [e; f].
    case concatenation
    /// z = [P_e e; P_f f].
    case projectedConcatenation = "projected-concatenation"
    /// z = P_e e + P_f f.
    case sum
    /// z = P_e e ⊙ P_f f (the product itself has no parameters).
    case hadamard
    /// g = sigma(G_e e + G_f f + b_g); z = g ⊙ P_e e + (1 - g) ⊙ P_f f.
    case gated
    /// a_k = v · tanh(u_k) for u_e = P_e e, u_f = P_f f; (alpha_e, alpha_f) = softmax(a_e, a_f);
    /// z = alpha_e u_e + alpha_f u_f.
    case attention
    /// Low-rank bilinear pooling (rank d): z = P_o (tanh(P_e e) ⊙ tanh(P_f f)) + b_o.
    case bilinear
    /// FiLM: gamma = W_g f + b_g, beta = W_b f + b_b (width C); z = (1 + gamma) ⊙ e + beta (the 1 + gamma
    /// form starts near the identity, as FiLM implementations initialise it).
    case film
    /// z = max(P_e e, P_f f) (ties go to e).
    case max
    /// p = (softmax(A e + a) + softmax(B f + b)) / 2; output log p.
    case lateAverage = "late-average"
    /// p = w softmax(A e + a) + (1 - w) softmax(B f + b), w = sigma(omega) with omega a learned scalar
    /// starting at 0 (w = 1/2); output log p.
    case lateWeighted = "late-weighted"
    /// Product of experts: output log softmax(A e + a) + log softmax(B f + b) (softmax of it is the
    /// renormalised product of the two distributions).
    case lateProduct = "late-product"
    /// p = max(softmax(A e + a), softmax(B f + b)) per class; output log p (softmax renormalises).
    case lateMax = "late-max"

    /// Late fusions produce the logits themselves (their own two heads); early ones feed mlp_head.2.
    public var isLate: Bool { [.lateAverage, .lateWeighted, .lateProduct, .lateMax].contains(self) }
    /// Whether the strategy reads the handcrafted features.
    public var usesFeatures: Bool { self != .none }
    /// Whether the strategy reads the HTNet embedding.
    public var usesEmbedding: Bool { self != .featureOnly }

    /// The formula in words, for reports and the README.
    public var formula: String {
        switch self {
        case .none: return "z = e"
        case .featureOnly: return "z = f"
        case .concatenation: return "z = [e; f]"
        case .projectedConcatenation: return "z = [P_e e; P_f f]"
        case .sum: return "z = P_e e + P_f f"
        case .hadamard: return "z = P_e e ⊙ P_f f"
        case .gated: return "g = σ(G_e e + G_f f + b_g); z = g ⊙ P_e e + (1 − g) ⊙ P_f f"
        case .attention: return "α = softmax(v·tanh(P_e e), v·tanh(P_f f)); z = α_e P_e e + α_f P_f f"
        case .bilinear: return "z = P_o (tanh(P_e e) ⊙ tanh(P_f f)) + b_o"
        case .film: return "z = (1 + W_γ f + b_γ) ⊙ e + (W_β f + b_β)"
        case .max: return "z = max(P_e e, P_f f)"
        case .lateAverage: return "p = (softmax(A e + a) + softmax(B f + b)) / 2; logits = log p"
        case .lateWeighted: return "p = w softmax(A e + a) + (1 − w) softmax(B f + b), w = σ(ω) learned; logits = log p"
        case .lateProduct: return "logits = log softmax(A e + a) + log softmax(B f + b)"
        case .lateMax: return "p = max(softmax(A e + a), softmax(B f + b)); logits = log p"
        }
    }
}

/// One fusion as a model builds it: the strategy, the projection width d and the feature count F
/// (known once the fold's data is).
public struct FusionSpec: Hashable, Sendable {
    public var kind: FusionKind
    public var width: Int
    public var featureCount: Int

    public init(kind: FusionKind, width: Int, featureCount: Int) {
        self.kind = kind
        self.width = width
        self.featureCount = featureCount
    }

    /// Width of z, the classifier's input (early fusions); late fusions output `classes` logits.
    public func outputWidth(embedding c: Int, classes: Int) -> Int {
        switch kind {
        case .none: return c
        case .featureOnly: return featureCount
        case .concatenation: return c + featureCount
        case .projectedConcatenation: return 2 * width
        case .sum, .hadamard, .gated, .attention, .bilinear, .max: return width
        case .film: return c
        case .lateAverage, .lateWeighted, .lateProduct, .lateMax: return classes
        }
    }

    /// Whether P_e and P_f exist.
    var projects: Bool {
        [.projectedConcatenation, .sum, .hadamard, .gated, .attention, .bilinear, .max].contains(kind)
    }
}
