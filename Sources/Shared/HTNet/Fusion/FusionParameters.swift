/// The fusion's parameters in the model's one buffer (ParameterLayout), under `fusion.*` names;
/// the classifier keeps its reference name mlp_head.2 with the fused width as its input (early
/// fusions) or the embedding width (late fusions: it is the embedding's head A).
enum FusionParameterNames {
    static let projectEWeight = "fusion.project_e.weight", projectEBias = "fusion.project_e.bias"
    static let projectFWeight = "fusion.project_f.weight", projectFBias = "fusion.project_f.bias"
    static let gateEWeight = "fusion.gate_e.weight", gateFWeight = "fusion.gate_f.weight", gateBias = "fusion.gate.bias"
    static let attentionVector = "fusion.attention.v"
    static let outputWeight = "fusion.output.weight", outputBias = "fusion.output.bias"
    static let gammaWeight = "fusion.film_gamma.weight", gammaBias = "fusion.film_gamma.bias"
    static let betaWeight = "fusion.film_beta.weight", betaBias = "fusion.film_beta.bias"
    static let featureHeadWeight = "fusion.feature_head.weight", featureHeadBias = "fusion.feature_head.bias"
    static let omega = "fusion.omega"
}

extension FusionSpec {
    /// (name, shape, initialisation) of every fusion parameter, PyTorch's nn.Linear defaults
    /// (the gate as one Linear(C + F, d) cut in two, so fan-in C + F; the attention vector as a
    /// Linear(d, 1) weight; omega 0 so that w starts at 1/2).
    func parameterSlots(embedding c: Int, classes k: Int) -> [(String, [Int], ParameterSlot.Initialisation)] {
        typealias N = FusionParameterNames
        let d = width, f = featureCount
        var slots: [(String, [Int], ParameterSlot.Initialisation)] = []
        if projects {
            slots += [(N.projectEWeight, [d, c], .weight(fanIn: c)), (N.projectEBias, [d], .bias(fanIn: c)),
                      (N.projectFWeight, [d, f], .weight(fanIn: f)), (N.projectFBias, [d], .bias(fanIn: f))]
        }
        switch kind {
        case .gated:
            slots += [(N.gateEWeight, [d, c], .weight(fanIn: c + f)), (N.gateFWeight, [d, f], .weight(fanIn: c + f)),
                      (N.gateBias, [d], .bias(fanIn: c + f))]
        case .attention: slots.append((N.attentionVector, [d], .weight(fanIn: d)))
        case .bilinear: slots += [(N.outputWeight, [d, d], .weight(fanIn: d)), (N.outputBias, [d], .bias(fanIn: d))]
        case .film:
            slots += [(N.gammaWeight, [c, f], .weight(fanIn: f)), (N.gammaBias, [c], .bias(fanIn: f)),
                      (N.betaWeight, [c, f], .weight(fanIn: f)), (N.betaBias, [c], .bias(fanIn: f))]
        case .lateAverage, .lateWeighted, .lateProduct, .lateMax:
            slots += [(N.featureHeadWeight, [k, f], .weight(fanIn: f)), (N.featureHeadBias, [k], .bias(fanIn: f))]
            if kind == .lateWeighted { slots.append((N.omega, [1], .zeros)) }
        default: break
        }
        return slots
    }
}
