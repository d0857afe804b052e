import ArgumentParser

/// Where a synthetic-data generator writes and the seed that makes its files reproducible; shared
/// by `synth` and `synth-faces`, whose outputs are byte-identical for the same seed.
struct SynthOutputOptions: ParsableArguments {
    @Option(help: "Output folder (must not exist or be empty).")
    var out: String
    @Option(help: "Generator seed: the same seed gives byte-identical files.")
    var seed: UInt64 = 1
}
