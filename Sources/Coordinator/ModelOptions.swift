import ArgumentParser
import CommandLineConventions
import HTNet

/// HTNet hyper-parameters as command-line flags (defaults: the paper's configuration).
struct ModelOptions: ParsableArguments {
    @Option(help: "Channels of the bottom level (paper: 256).")
    var dim = 256
    @Option(help: "Attention heads of the bottom level; doubled at every level (paper: 3).")
    var heads = 3
    @Option(help: "Number of hierarchy levels (paper: 3).")
    var hierarchies = 3
    @Option(help: "Transformer layers per level, bottom to top, comma-separated (paper: 2,2,10).")
    var repeats = "2,2,10"
    @Option(help: "Feed-forward expansion factor (paper: 4).")
    var mlpMult = 4
    @Option(help: "Patch side in pixels (paper: 7).")
    var patch = 7

    func validate() throws {
        try NumericFlag.atLeast(dim, 1, flag: "--dim")
        try NumericFlag.atLeast(heads, 1, flag: "--heads")
        try NumericFlag.atLeast(hierarchies, 1, flag: "--hierarchies")
        try NumericFlag.atLeast(mlpMult, 1, flag: "--mlp-mult")
        try NumericFlag.atLeast(patch, 1, flag: "--patch")
        let parsed = repeats.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parsed.allSatisfy({ ($0 ?? 0) >= 1 }) else {
            throw ValidationError("--repeats must be positive integers separated by commas (got '\(repeats)')")
        }
    }

    func config(classes: Int) throws -> HTNetConfig {
        let parsed = repeats.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parsed.allSatisfy({ $0 != nil }) else { throw ValidationError("--repeats must be integers separated by commas, got '\(repeats)'") }
        let config = HTNetConfig(patchSize: patch, dim: dim, heads: heads, numHierarchies: hierarchies,
                                 blockRepeats: parsed.map { $0! }, mlpMult: mlpMult, numClasses: classes)
        if let problem = config.validationErrors().first { throw ValidationError("model: \(problem)") }
        return config
    }
}
