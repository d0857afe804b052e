import FoldResults
/// The charts of report.html, built from the report's numbers (the tables hold the same values).
/// Each chart says in its axes and notes what a mark is: mean over seeds, seed, 95% interval, band.
enum HTMLCharts {
    /// Forest plot of each variant's UF1 and UAR: mean over seeds (filled), each seed (open), 95% CI.
    static func variants(_ s: SelectionResults) -> String {
        var rows: [SVGChart.IntervalRow] = []
        for metric in [ScoreMetric.uf1, .uar] {
            for (i, v) in s.variants.enumerated() {
                let ci = ReportFormat.interval(v.intervals, metric, of: v.name)
                let spread = metric == .uf1 ? v.uf1 : v.uar
                rows.append(.init(label: "\(metric.rawValue) \(v.name)", estimate: spread.mean, lower: ci?.lower, upper: ci?.upper,
                                  colorIndex: i, seeds: spread.values))
            }
        }
        return SVGChart.intervals(rows, title: "Variants: UF1 and UAR, seeds and 95% CI",
                                  axisLabel: "score (filled: mean over seeds; open: each seed; bar: 95% subject-bootstrap CI)",
                                  zeroLine: false, clamp: 0...1)
    }

    /// Forest plot of B − A for every compared pair, with its 95% subject-bootstrap interval.
    static func differences(_ s: SelectionResults) -> String {
        let rows = s.comparisons.flatMap { c in [ScoreMetric.uf1, .uar].map { m -> SVGChart.IntervalRow in
            let d = ReportFormat.differenceInterval(c.intervals, m)
            let perSeed = c.perSeed.compactMap { p -> Double? in
                m == .uf1 ? p.uf1B.flatMap { b in p.uf1A.map { b - $0 } } : p.uarB.flatMap { b in p.uarA.map { b - $0 } }
            }
            return .init(label: "\(m.rawValue) \(c.nameB) − \(c.nameA)", estimate: d?.estimate, lower: d?.lower, upper: d?.upper,
                         colorIndex: m == .uf1 ? 0 : 1, seeds: perSeed)
        } }
        return SVGChart.intervals(rows, title: "Differences between variants (B − A)",
                                  axisLabel: "difference (filled: estimate; open: each seed pair; bar: 95% CI)", zeroLine: true)
    }

    /// Bars per source dataset and variant for UF1 and UAR, with 95% CIs and seed dots.
    static func datasets(_ s: SelectionResults) -> String {
        let names = orderedUnique(s.variants.flatMap { $0.datasets.map(\.dataset) })
        guard !names.isEmpty else { return "" }
        return [ScoreMetric.uf1, .uar].map { metric in
            let series = s.variants.map { v -> SVGChart.BarSeries in
                let ds = names.map { n in v.datasets.first { $0.dataset == n } }
                let ci = ds.map { d in d.flatMap { ReportFormat.interval($0.intervals, metric, of: v.name) } }
                return SVGChart.BarSeries(name: v.name,
                                          values: ds.map { metric == .uf1 ? $0?.uf1OverSeeds.mean : $0?.uarOverSeeds.mean },
                                          lower: ci.map { $0?.lower }, upper: ci.map { $0?.upper },
                                          seeds: ds.map { (metric == .uf1 ? $0?.uf1OverSeeds.values : $0?.uarOverSeeds.values) ?? [] })
            }
            return SVGChart.groupedBars(categories: names, series: series, title: "\(metric.rawValue) per source dataset",
                                        yLabel: metric.rawValue, xLabel: "source dataset",
                                        notes: ["bar: mean over seeds", "whisker: 95% subject-bootstrap CI", "dots: each seed"])
        }.joined()
    }

    /// Per-subject accuracy and UF1, pooled over seeds, subjects sorted by mean accuracy over variants.
    static func subjects(_ s: SelectionResults) -> String {
        let names = orderedUnique(s.variants.flatMap { $0.subjects.map(\.subject) })
        var rows = names.map { name -> SVGChart.SubjectRow in
            let scores = s.variants.map { v in v.subjects.first { $0.subject == name } }
            let first = scores.compactMap { $0 }.first
            return SVGChart.SubjectRow(subject: name, dataset: first?.dataset ?? "", predictions: first?.predictions ?? 0,
                                       accuracy: scores.map { $0?.accuracy }, uf1: scores.map { $0?.uf1 })
        }
        func key(_ r: SVGChart.SubjectRow) -> Double { SampleStatistics.mean(r.accuracy.compactMap { $0 }) ?? -1 }
        rows.sort { key($0) != key($1) ? key($0) > key($1) : $0.subject < $1.subject }
        return SVGChart.subjectDots(rows, seriesNames: s.variants.map(\.name),
                                    title: "Per subject (pooled over seeds), sorted by mean accuracy",
                                    notes: ["n = the subject's predictions summed over seeds; a subject with few samples has a coarse score.",
                                            "UF1 of one subject is over the classes present in its labels or predictions (scikit-learn macro F1)."])
    }

    static func confusion(_ v: VariantSummary, classNames: [String]) -> String {
        SVGChart.confusionMatrix(v.pooled.confusion.counts, classNames: classNames, title: "\(v.name): confusion matrix (all seeds)")
    }

    /// Loss and accuracy per epoch: mean over tasks (line), test solid and train dashed, and a band of
    /// ± 1 sd over tasks around the test line.
    static func curves(_ curves: [MeanCurve]) -> String {
        guard !curves.isEmpty else { return "" }
        typealias Pick = (MeanCurve.Point) -> (mean: Double, sd: Double?)
        func series(train: @escaping Pick, test: @escaping Pick) -> [SVGChart.LineSeries] {
            curves.enumerated().flatMap { i, c -> [SVGChart.LineSeries] in [
                SVGChart.LineSeries(name: "\(c.variant) test", colorIndex: i, dashed: false, points: c.points.map { p in
                    let (y, sd) = test(p)
                    return (x: Double(p.epoch), y: y, low: sd.map { y - $0 }, high: sd.map { y + $0 })
                }),
                SVGChart.LineSeries(name: "\(c.variant) train", colorIndex: i, dashed: true, points: c.points.map { p in
                    (x: Double(p.epoch), y: train(p).mean, low: nil, high: nil)
                }),
            ] }
        }
        let notes = ["solid: test, dashed: train", "line: mean over folds × seeds", "band: test mean ± 1 sd over them"]
        let names = curves.map(\.variant)
        return SVGChart.lines(series(train: { ($0.trainLoss, $0.trainLossSD) }, test: { ($0.testLoss, $0.testLossSD) }),
                              title: "Loss per epoch", xLabel: "epoch", yLabel: "cross-entropy", legendNames: names, notes: notes,
                              clamp: 0...Double.greatestFiniteMagnitude)
            + SVGChart.lines(series(train: { ($0.trainAccuracy, $0.trainAccuracySD) }, test: { ($0.testAccuracy, $0.testAccuracySD) }),
                             title: "Accuracy per epoch (test accuracy of every epoch)", xLabel: "epoch", yLabel: "accuracy",
                             legendNames: names, notes: notes, clamp: 0...1)
    }

    /// Test accuracy per epoch of each variant on each source dataset (no band: one pooled value per epoch).
    static func datasetCurves(_ curves: [DatasetCurve]) -> String {
        let series = curves.enumerated().map { i, c in
            SVGChart.LineSeries(name: "\(c.variant): \(c.dataset)", colorIndex: i, dashed: false,
                                points: c.points.map { (x: Double($0.epoch), y: $0.accuracy, low: nil, high: nil) })
        }
        return SVGChart.lines(series, title: "Test accuracy per epoch per source dataset", xLabel: "epoch", yLabel: "test accuracy",
                              legendNames: series.map(\.name), notes: ["weighted by test samples,", "pooled over folds × seeds"], clamp: 0...1)
    }

    /// How much best-test-epoch flatters each variant (best − final), with 95% subject-bootstrap CIs
    /// and the gap of each seed (open dots).
    /// `selections`: the report's rules; the final-epoch and best-test-epoch ones are picked by name.
    static func optimism(_ optimism: [SelectionOptimism], selections: [SelectionResults]) -> String {
        guard let final = selections.first(where: { $0.protocolDescription.selection == EpochSelection.final.rawValue }),
              let best = selections.first(where: { $0.protocolDescription.selection == EpochSelection.bestTestEpoch.rawValue }) else { return "" }
        let rows = optimism.enumerated().flatMap { i, o in
            o.intervals.map { iv -> SVGChart.IntervalRow in
                let isUAR = iv.quantity.hasPrefix("UAR")
                let f = final.variants.first { $0.name == o.variant }, b = best.variants.first { $0.name == o.variant }
                let seeds = f.flatMap { f in b.map { b in
                    zip(isUAR ? b.uar.values : b.uf1.values, isUAR ? f.uar.values : f.uf1.values).map { $0 - $1 }
                } } ?? []
                return SVGChart.IntervalRow(label: "\(isUAR ? "UAR" : "UF1") \(o.variant)", estimate: iv.estimate,
                                            lower: iv.lower, upper: iv.upper, colorIndex: i, seeds: seeds)
            }
        }
        guard !rows.isEmpty else { return "" }
        return SVGChart.intervals(rows, title: "Optimism of best-test-epoch: best-test-epoch − final",
                                  axisLabel: "score difference (filled: mean over seeds; open: each seed; bar: 95% subject-bootstrap CI)",
                                  zeroLine: true)
    }
}
