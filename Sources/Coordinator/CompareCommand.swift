import ArgumentParser
import CommandLineConventions
import Evaluation
import Foundation

/// `coordinator compare A [B]`: every paired significance test between two runs (or two variants of
/// one run) on the same samples, as a table or as JSON. Reads predictions.csv only; no dataset, no MPI.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Paired significance tests between two runs or two variants (McNemar, Wilcoxon, t, randomisation, bootstrap).",
        discussion: """
        A and B are run directories (their predictions.csv is read) or predictions CSV files. With one
        argument, or B equal to A, two variants of that run are compared (--variant-a, --variant-b).
        Predictions are matched by (seed, sample); when the runs used different seeds, seeds are paired
        in ascending order. All tests are two-sided.
        """)

    @Argument(help: "Run directory or predictions CSV of A.")
    var a: String

    @Argument(help: "Run directory or predictions CSV of B (default: A, comparing two of its variants).")
    var b: String?

    @Option(name: .customLong("variant-a"), help: "Variant of A (required when A holds several).")
    var variantA: String?

    @Option(name: .customLong("variant-b"), help: "Variant of B (required when B holds several).")
    var variantB: String?

    @Option(help: "Epoch selection to compare: final, best-test-epoch or validation, as predictions.csv holds them (default: the run's own).")
    var selection: String?

    @Option(help: "Rounds of the approximate randomisation test.")
    var rounds: Int = PermutationTest.defaultRounds

    @Option(help: "Subject-bootstrap resamples.")
    var resamples: Int = SubjectBootstrap.defaultResamples

    @Option(help: "Seed of the randomisation and bootstrap draws.")
    var seed: UInt64 = 0

    @Flag(help: "Print machine-readable JSON instead of a table.")
    var json = false

    func validate() throws {
        try NumericFlag.atLeast(rounds, 1, flag: "--rounds")
        try NumericFlag.atLeast(resamples, 1, flag: "--resamples")
    }

    func run() throws {
        let tableA = try PredictionFileComparison.load(a)
        let sameInput = b == nil || b == a
        let tableB = sameInput ? nil : try PredictionFileComparison.load(b!)
        let settings = PairwiseComparison.Settings(permutationRounds: rounds, bootstrapResamples: resamples, seed: seed)
        let comparison = try PredictionFileComparison.compare(
            a: tableA, nameA: a, b: tableB, nameB: sameInput ? nil : b, variantA: variantA, variantB: variantB,
            selection: selection, settings: settings)
        if json {
            let data = try ReportWriter.encoder().encode(comparison)
            print(String(decoding: data, as: UTF8.self))
        } else {
            print(MarkdownReport.comparison(comparison))
        }
    }
}
