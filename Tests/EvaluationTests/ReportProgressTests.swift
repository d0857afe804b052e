import XCTest
@testable import Evaluation

/// RunReport tells its caller how the paired tests advance: one call per pair of variants, per epoch
/// rule, in order, with the stage's pair count.
final class ReportProgressTests: XCTestCase {
    func testEveryPairOfEveryRuleIsReported() throws {
        let run = SyntheticRun.run(variants: [("a", 0.5), ("b", 0.6), ("c", 0.7)], seeds: [1], alternate: true)
        var calls: [String] = []
        _ = try RunReport(run, settings: .init(permutationRounds: 20, bootstrapResamples: 20)) { stage, done, total in
            calls.append("\(stage) \(done)/\(total)")
        }
        XCTAssertEqual(calls, ["comparisons under final 1/3", "comparisons under final 2/3", "comparisons under final 3/3",
                               "comparisons under best-test-epoch 1/3", "comparisons under best-test-epoch 2/3",
                               "comparisons under best-test-epoch 3/3"])
    }
}
