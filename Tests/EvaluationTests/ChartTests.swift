import XCTest
@testable import Evaluation

/// The charts' axes, bands and the optimism estimate.
final class ChartTests: XCTestCase {
    /// Heckbert's nice numbers: steps of 1, 2, 5 x 10^k covering the data.
    func testNiceTicks() {
        let a = ChartScale(values: [0.23, 0.87], targetTicks: 6)
        XCTAssertEqual(a.step, 0.1, accuracy: 1e-12)
        XCTAssertEqual(a.ticks.count, 8)
        XCTAssertEqual(a.ticks.first!, 0.2, accuracy: 1e-12)
        XCTAssertEqual(a.ticks.last!, 0.9, accuracy: 1e-12)
        XCTAssertEqual(a.label(0.5), "0.5")
        let epochs = ChartScale(values: [1, 25], targetTicks: 7)
        XCTAssertEqual(epochs.step, 5)
        XCTAssertEqual(epochs.ticks, [0, 5, 10, 15, 20, 25])
        XCTAssertEqual(epochs.label(10), "10")
        let small = ChartScale(values: [-0.012, 0.034], include: [0], targetTicks: 5)
        XCTAssertEqual(small.step, 0.01, accuracy: 1e-12)
        XCTAssertTrue(small.ticks.contains(0))
        XCTAssertEqual(small.label(0.02), "0.02")
        let clamped = ChartScale(values: [0.93, 1.0], targetTicks: 6, clamp: 0...1)
        XCTAssertLessThanOrEqual(clamped.upper, 1)
        // Degenerate data still gives an axis.
        XCTAssertGreaterThan(ChartScale(values: [0.5, 0.5]).ticks.count, 1)
    }

    func testCurveBandsAreTheSDOverTasks() throws {
        let report = try RunReport(SyntheticRun.run(), settings: .init(permutationRounds: 10, bootstrapResamples: 10))
        for curve in report.curves {
            for p in curve.points {
                // The synthetic curves vary over folds: sd = SampleStatistics.standardDeviation of the tasks' values.
                let values = SyntheticRun.run().curves.filter { $0.variant == curve.variant }.map { $0.epochs[p.epoch - 1].testAccuracy }
                XCTAssertEqual(p.testAccuracySD!, SampleStatistics.standardDeviation(values)!, accuracy: 1e-12)
            }
        }
    }

    /// Optimism = UF1 (UAR) of best-test-epoch minus that of the final epoch, mean over seeds, with a CI.
    func testOptimismIsTheGapBetweenRules() throws {
        let report = try RunReport(SyntheticRun.run(), settings: .init(permutationRounds: 10, bootstrapResamples: 200))
        let optimism = try XCTUnwrap(report.optimism)
        XCTAssertEqual(optimism.map(\.variant), ["baseline", "weighted"])
        let alt = try XCTUnwrap(report.alternate)
        for (o, (final, best)) in zip(optimism, zip(report.main.variants, alt.variants)) {
            let uf1 = o.intervals[0], uar = o.intervals[1]
            XCTAssertEqual(uf1.quantity, "UF1 difference (best-test-epoch - final)")
            XCTAssertEqual(uf1.estimate!, best.uf1.mean! - final.uf1.mean!, accuracy: 1e-12)
            XCTAssertEqual(uar.estimate!, best.uar.mean! - final.uar.mean!, accuracy: 1e-12)
            XCTAssertLessThanOrEqual(uf1.lower!, uf1.estimate!)
            XCTAssertGreaterThanOrEqual(uf1.upper!, uf1.estimate!)
            XCTAssertGreaterThan(uf1.estimate!, 0, "the synthetic best-test-epoch rows are more accurate")
        }
    }

    /// Every chart has labelled axes; the per-subject chart is sorted and shows n; confusion cells show
    /// row percentages and counts.
    func testChartsCarryAxesAndLabels() throws {
        let report = try RunReport(SyntheticRun.run(seeds: [1, 2, 3], subjects: 70),
                                   settings: .init(permutationRounds: 10, bootstrapResamples: 20))
        let html = HTMLReport.render(report)
        for needle in ["score (filled: mean over seeds; open: each seed", "UF1 per source dataset", "source dataset",
                       "accuracy of the subject", "UF1 of the subject", "· n=", "predicted class", "true class",
                       "row % (count)", "band: test mean ± 1 sd over them", ">epoch<", ">cross-entropy<",
                       "Optimism of best-test-epoch", "whisker: 95% subject-bootstrap CI"] {
            XCTAssertTrue(html.contains(needle), needle)
        }
        // Subjects sorted by mean accuracy: the labels appear in that order.
        let s = report.main
        let order = orderedUnique(s.variants.flatMap { $0.subjects.map(\.subject) }).sorted { a, b in
            func mean(_ n: String) -> Double { SampleStatistics.mean(s.variants.compactMap { $0.subjects.first { $0.subject == n }?.accuracy }) ?? -1 }
            return mean(a) != mean(b) ? mean(a) > mean(b) : a < b
        }
        let chart = HTMLCharts.subjects(s)
        let positions = order.map { chart.range(of: ">\($0) · ")!.lowerBound }
        XCTAssertEqual(positions, positions.sorted())
        // A confusion cell: 100% of a one-sample row, count 1.
        let cm = SVGChart.confusionMatrix([[1, 0], [1, 3]], classNames: ["a", "b"], title: "t")
        XCTAssertTrue(cm.contains(">100%<") && cm.contains(">(1)<") && cm.contains(">75%<") && cm.contains(">(3)<") && cm.contains("n = 4"))
    }
}
