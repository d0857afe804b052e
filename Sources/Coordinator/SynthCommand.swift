import ArgumentParser
import CommandLineConventions
import Dataset
import Foundation
import Preprocessing

/// `coordinator synth --out DIR`: write the embedded synthetic composite, the default dataset of
/// the demo, in the reference layout, then load it back through the ordinary loader as a check.
struct SynthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth",
        abstract: "Generate a deterministic synthetic composite (3 sources, ~30 subjects, ~300 clips).")

    @OptionGroup var output: SynthOutputOptions
    @Option(help: "Subjects per source dataset.")
    var subjects: Int?
    @Option(help: "Clips per source dataset.")
    var samples: Int?

    func validate() throws {
        try NumericFlag.atLeast(subjects, 1, flag: "--subjects")
        if let samples, samples < (subjects ?? 1) {
            throw ValidationError("--samples must be at least the number of subjects")
        }
    }

    func run() throws {
        var configuration = SyntheticComposite.Configuration()
        for i in configuration.sources.indices {
            if let subjects { configuration.sources[i].subjects = subjects }
            if let samples { configuration.sources[i].samples = samples }
        }
        try SyntheticComposite.generate(into: output.out, seed: output.seed, configuration: configuration)
        let data = try CompositeLoader(directory: output.out).load()
        print("wrote \(output.out) (seed \(output.seed))")
        print(DatasetSummary(data).text, terminator: "")
    }
}
