/// A table as header + rows of text cells.
struct ReportTable {
    var header: [String]
    var rows: [[String]]
}

/// The tables of a report, built once and rendered by both the Markdown and the HTML writer, so the
/// two files always show the same numbers.
enum ReportTables {
    /// One row per worker: its tasks, training time and device; the fold-batch sizes when any task
    /// was bundled (1 = trained alone).
    static func workers(_ t: RunTimings) -> ReportTable {
        let bundled = t.bundled
        return ReportTable(header: ["worker", "device", "tasks", "training time"] + (bundled ? ["fold batch sizes"] : []),
                           rows: t.workers.map { w in
                               [w.worker, w.devices.joined(separator: "; "), "\(w.tasks)", ReportFormat.seconds(w.seconds)]
                                   + (bundled ? [w.bundleSizes.map(String.init).joined(separator: ", ")] : [])
                           })
    }

    /// Provenance: one column per session of the run, one row per recorded fact.
    static func provenance(_ p: RunProvenance) -> ReportTable {
        let s = p.sessions
        func row(_ name: String, _ value: (RunProvenance.Session) -> String?) -> [String] {
            [name] + s.map { value($0) ?? "—" }
        }
        return ReportTable(header: [""] + s.map { "session \($0.session)" }, rows: [
            row("started") { $0.started },
            row("ended") { x in x.ended.map { "\($0) (\(x.outcome ?? "?"))" } },
            row("software (release, commit)") { $0.software },
            row("coordinator host") { $0.coordinatorHost },
            row("experiment file") { $0.experimentFile },
            row("experiment SHA-256") { $0.experimentSHA256 },
            row("dataset") { $0.dataset },
            row("dataset SHA-256") { x in x.datasetSHA256.map { "\($0) (\(x.datasetDigestOf ?? "?"))" } },
            row("workers") { $0.workers.map(String.init) },
            row("worker hosts") { $0.workerHosts.isEmpty ? nil : $0.workerHosts.joined(separator: "; ") },
            row("OpenBLAS core type (coordinator)") { $0.openBLASCoreType },
            row("MPI library") { $0.mpiLibrary },
            row("data notes") { ($0.dataNotes ?? []).isEmpty ? nil : $0.dataNotes!.joined(separator: "; ") },
        ])
    }

    /// Ordinal tasks add mean absolute grade error and quadratic-weighted kappa (mean ± sd over seeds).
    static func summary(_ s: SelectionResults) -> ReportTable {
        let ordinal = s.variants.contains { $0.ordinal != nil }
        return ReportTable(header: ["variant", "seeds", "UF1", "UF1 95% CI", "UAR", "UAR 95% CI", "accuracy"]
                               + (ordinal ? ["MAE (grades)", "MAE 95% CI", "QWK", "QWK 95% CI"] : []),
                    rows: s.variants.map { v in
                        [v.name, v.seeds.map(String.init).joined(separator: ","), ReportFormat.spread(v.uf1),
                         ReportFormat.interval(ReportFormat.interval(v.intervals, .uf1, of: v.name)),
                         ReportFormat.spread(v.uar), ReportFormat.interval(ReportFormat.interval(v.intervals, .uar, of: v.name)),
                         ReportFormat.spread(v.accuracy)]
                            + (ordinal ? [v.ordinal.map { ReportFormat.spread($0.meanAbsoluteError) } ?? "—",
                                          ReportFormat.interval(ReportFormat.interval(v.intervals, .meanAbsoluteError, of: v.name)),
                                          v.ordinal.map { ReportFormat.spread($0.quadraticKappa) } ?? "—",
                                          ReportFormat.interval(ReportFormat.interval(v.intervals, .quadraticKappa, of: v.name))] : [])
                    })
    }

    static func datasets(_ s: SelectionResults) -> ReportTable {
        ReportTable(header: ["variant", "dataset", "predictions (all seeds)", "UF1", "UF1 95% CI", "UAR", "UAR 95% CI",
                             "accuracy (pooled)"],
                    rows: s.variants.flatMap { v in v.datasets.map { d in
                        [v.name, d.dataset, "\(d.pooled.samples)", ReportFormat.spread(d.uf1OverSeeds),
                         ReportFormat.interval(ReportFormat.interval(d.intervals, .uf1, of: v.name)),
                         ReportFormat.spread(d.uarOverSeeds),
                         ReportFormat.interval(ReportFormat.interval(d.intervals, .uar, of: v.name)),
                         ReportFormat.score(d.pooled.accuracy)]
                    } })
    }

    static func perSeed(_ s: SelectionResults) -> ReportTable {
        let datasetNames = orderedUnique(s.variants.flatMap { $0.datasets.map(\.dataset) })
        return ReportTable(header: ["variant", "seed", "UF1", "UAR", "accuracy"] + datasetNames.map { "UF1 \($0)" },
                           rows: s.variants.flatMap { v in v.perSeed.map { p in
                               [v.name, "\(p.seed)", ReportFormat.score(p.composite.uf1), ReportFormat.score(p.composite.uar),
                                ReportFormat.score(p.composite.accuracy)]
                                   + datasetNames.map { d in ReportFormat.score(p.datasets.first { $0.dataset == d }?.pooled.uf1) }
                           } })
    }

    static func perClass(_ v: VariantSummary, classNames: [String]) -> ReportTable {
        ReportTable(header: ["class", "support", "predicted", "precision", "recall", "F1"],
                    rows: v.pooled.classes.map { c in
                        [classNames[c.classIndex], "\(c.support)", "\(c.predicted)", ReportFormat.score(c.precision),
                         ReportFormat.score(c.recall), ReportFormat.score(c.f1)]
                    })
    }

    static func confusion(_ v: VariantSummary, classNames: [String]) -> ReportTable {
        ReportTable(header: ["true \\ predicted"] + classNames,
                    rows: v.pooled.confusion.counts.enumerated().map { [classNames[$0.offset]] + $0.element.map(String.init) })
    }

    static func subjects(_ s: SelectionResults) -> ReportTable {
        let names = orderedUnique(s.variants.flatMap { $0.subjects.map(\.subject) })
        return ReportTable(
            header: ["subject", "dataset", "predictions"] + s.variants.flatMap { ["\($0.name) accuracy", "\($0.name) UF1"] },
            rows: names.map { name in
                let first = s.variants.lazy.compactMap { $0.subjects.first { $0.subject == name } }.first
                return [name, first?.dataset ?? "", "\(first?.predictions ?? 0)"] + s.variants.flatMap { v -> [String] in
                    let x = v.subjects.first { $0.subject == name }
                    return [ReportFormat.score(x?.accuracy), ReportFormat.score(x?.uf1)]
                }
            })
    }

    /// Every test of a comparison over all seed pairs: test, quantity, n, statistic, p (Holm across
    /// pairs when several pairs are compared, Holm across all tests of the comparison), tail, method.
    static func tests(_ c: PairwiseComparison) -> ReportTable {
        let holm = c.tests.contains { $0.pHolm != nil }
        return ReportTable(
            header: ["test", "quantity", "n", "statistic", "p"] + (holm ? ["p (Holm, across pairs)"] : [])
                + ["p (Holm, all tests)", "tail", "method", "note"],
            rows: c.tests.map { t in
                [t.test, t.quantity, "\(t.n) (\(t.nDescription))", "\(t.statisticName) = \(ReportFormat.score(t.statistic))",
                 ReportFormat.p(t.p)] + (holm ? [ReportFormat.p(t.pHolm)] : [])
                    + [ReportFormat.p(t.pHolmWithinComparison), t.tail.rawValue, t.method, t.note ?? ""]
            })
    }

    /// Each variant's per-seed and mean scores beside the published ranges.
    static func reference(_ r: ReferenceComparison) -> ReportTable {
        ReportTable(header: ["variant", "quantity", "reference range", "per seed", "mean over seeds", "mean inside the range", "seeds inside"],
                    rows: r.rows.map { row in
                        [row.variant, row.quantity, "[\(ReportFormat.score(row.reference.low)), \(ReportFormat.score(row.reference.high))]",
                         row.perSeed.allSatisfy { $0 == nil } ? "no predictions of this dataset in the run"
                            : zip(row.seeds, row.perSeed).map { "seed \($0): \(ReportFormat.score($1))" }.joined(separator: "; "),
                         ReportFormat.score(row.mean), row.meanInside.map { $0 ? "yes" : "NO" } ?? "—",
                         "\(row.seedsInside) of \(row.seeds.count)"]
                    })
    }

    /// Welch's t-tests between variants on per-seed scores: one row per pair and quantity.
    static func acrossSeeds(_ s: SelectionResults) -> ReportTable {
        let holm = s.acrossSeeds.count > 1
        let spreads = Dictionary(uniqueKeysWithValues: s.variants.map { v in
            (v.name, [("composite UF1 per seed", v.uf1), ("composite UAR per seed", v.uar)]
                + v.datasets.flatMap { [("\($0.dataset) UF1 per seed", $0.uf1OverSeeds), ("\($0.dataset) UAR per seed", $0.uarOverSeeds)] })
        })
        func spread(_ variant: String, _ quantity: String) -> String {
            guard let s = spreads[variant]?.first(where: { $0.0 == quantity })?.1 else { return "—" }
            return "\(ReportFormat.spread(s)) (n = \(s.n))"
        }
        return ReportTable(
            header: ["A", "B", "quantity", "A: mean ± sd", "B: mean ± sd", "B − A", "t", "p"]
                + (holm ? ["p (Holm, across pairs)"] : []) + ["method", "note"],
            rows: s.acrossSeeds.flatMap { c in c.tests.map { t in
                [c.nameA, c.nameB, t.quantity, spread(c.nameA, t.quantity), spread(c.nameB, t.quantity),
                 ReportFormat.score(t.effect), ReportFormat.score(t.statistic), ReportFormat.p(t.p)]
                    + (holm ? [ReportFormat.p(t.pHolm)] : []) + [t.method, t.note ?? ""]
            } })
    }

    /// Each seed pair of a comparison: both sides' UF1/UAR and that seed's exact McNemar and Wilcoxon.
    static func perSeedComparison(_ c: PairwiseComparison) -> ReportTable {
        ReportTable(
            header: ["seed A", "seed B", "predictions", "UF1 A", "UF1 B", "UAR A", "UAR B",
                     "McNemar b / c", "McNemar p", "McNemar p (Holm)", "Wilcoxon n", "Wilcoxon min(R+, R-)",
                     "Wilcoxon p", "Wilcoxon p (Holm)", "Wilcoxon method"],
            rows: c.perSeed.map { s in
                ["\(s.seedA)", "\(s.seedB)", "\(s.matchedPredictions)", ReportFormat.score(s.uf1A), ReportFormat.score(s.uf1B),
                 ReportFormat.score(s.uarA), ReportFormat.score(s.uarB), "\(s.onlyACorrect) / \(s.onlyBCorrect)",
                 ReportFormat.p(s.mcnemar.p), ReportFormat.p(s.mcnemar.pHolmWithinComparison), "\(s.wilcoxon.n) of \(s.subjects)",
                 ReportFormat.score(s.wilcoxon.statistic), ReportFormat.p(s.wilcoxon.p),
                 ReportFormat.p(s.wilcoxon.pHolmWithinComparison), s.wilcoxon.method]
            })
    }

    static func intervals(_ c: PairwiseComparison) -> ReportTable {
        ReportTable(header: ["interval", "estimate", "95% CI", "subjects", "method"],
                    rows: c.intervals.map { i in
                        [i.quantity, ReportFormat.score(i.estimate), ReportFormat.interval(i), "\(i.units)", i.method]
                    })
    }

    /// The gap between the run's selection and the alternate one, per variant.
    static func gap(main: SelectionResults, alternate: SelectionResults) -> ReportTable {
        let a = main.protocolDescription.label, b = alternate.protocolDescription.label
        func gap(_ x: Double?, _ y: Double?) -> String { ReportFormat.score(x.flatMap { x in y.map { $0 - x } }) }
        return ReportTable(header: ["variant", "UF1 (\(a))", "UF1 (\(b))", "UF1 gap", "UAR (\(a))", "UAR (\(b))", "UAR gap"],
                           rows: main.variants.map { v in
                               let o = alternate.variants.first { $0.name == v.name }
                               return [v.name, ReportFormat.score(v.uf1.mean), ReportFormat.score(o?.uf1.mean), gap(v.uf1.mean, o?.uf1.mean),
                                       ReportFormat.score(v.uar.mean), ReportFormat.score(o?.uar.mean), gap(v.uar.mean, o?.uar.mean)]
                           })
    }

    /// Every epoch rule of the same tasks side by side (a validation-selected run: validation, final,
    /// best-test-epoch); the labels say which rule is optimistic.
    static func rules(_ selections: [SelectionResults]) -> ReportTable {
        let names = orderedUnique(selections.flatMap { $0.variants.map(\.name) })
        return ReportTable(header: ["variant"] + selections.flatMap { s in
                               ["UF1 (\(s.protocolDescription.label))", "accuracy (\(s.protocolDescription.label))"] },
                           rows: names.map { name in
                               [name] + selections.flatMap { s -> [String] in
                                   let v = s.variants.first { $0.name == name }
                                   return [ReportFormat.spread(v?.uf1 ?? SeedSpread([])), ReportFormat.spread(v?.accuracy ?? SeedSpread([]))]
                               }
                           })
    }

    static func optimism(_ optimism: [SelectionOptimism]) -> ReportTable {
        ReportTable(header: ["variant", "quantity", "estimate", "95% CI", "subjects", "method"],
                    rows: optimism.flatMap { o in o.intervals.map { i in
                        [o.variant, i.quantity, ReportFormat.score(i.estimate), ReportFormat.interval(i), "\(i.units)", i.method]
                    } })
    }

    static func curves(_ curves: [MeanCurve]) -> ReportTable {
        ReportTable(header: ["variant", "epochs", "selected epoch (mean, min–max)", "last-epoch test accuracy (mean over tasks)",
                             "last-epoch train loss"],
                    rows: curves.map { c in
                        let last = c.points.last
                        return [c.variant, "\(last?.epoch ?? 0)",
                                "\(ReportFormat.score(c.selectedEpochMean)) (\(c.selectedEpochMin ?? 0)–\(c.selectedEpochMax ?? 0))",
                                ReportFormat.score(last?.testAccuracy), ReportFormat.score(last?.trainLoss)]
                    })
    }

    static func trainingProtocol(_ p: [VariantTrainingProtocol]) -> ReportTable {
        // The model column appears only when a variant is not HTNet, so HTNet-only reports are as before.
        let optimisation = p.contains { $0.optimisation != nil }, models = p.contains { $0.model != nil }
        return ReportTable(header: ["variant"] + (models ? ["model"] : []) + ["order", "initial weights (init_rng; init_scope)"]
                               + (optimisation ? ["optimiser, schedule, augmentation"] : []),
                           rows: p.map { v in
                               [v.variant] + (models ? [v.model ?? "HTNet"] : []) + [v.orderNote, v.model == nil ? v.startNote : "our SplitMix64 stream; a set per fold"]
                                   + (optimisation ? [v.optimisation ?? (v.model == nil ? "Adam; constant lr; no augmentation" : "(in the model column)")] : [])
                           })
    }

    /// Test accuracy per epoch per (variant, dataset): the first epoch, every 5th, and the last 5.
    static func datasetCurves(_ curves: [DatasetCurve]) -> ReportTable {
        let last = curves.flatMap { $0.points.map(\.epoch) }.max() ?? 0
        let epochs = (1...max(1, last)).filter { $0 == 1 || $0 % 5 == 0 || $0 > last - 5 }
        let lookup = curves.map { c in Dictionary(uniqueKeysWithValues: c.points.map { ($0.epoch, $0.accuracy) }) }
        return ReportTable(header: ["epoch"] + curves.map { "\($0.variant): \($0.dataset)" },
                           rows: epochs.map { e in ["\(e)"] + lookup.map { ReportFormat.score($0[e]) } })
    }

    /// The statistical conventions, stated once in every report.
    static let conventions = [
        "UF1 = scikit-learn f1_score(average='macro') over the classes present in the labels or the predictions; UAR = balanced_accuracy_score (mean recall over classes present in the labels).",
        "Composite = all folds of a seed pooled; per-dataset = the pooled predictions restricted to that dataset. A variant's UF1/UAR is the mean over seeds ± sample standard deviation (ddof = 1).",
        "Pooled tables, per-subject scores and confusion matrices sum the predictions of all seeds.",
        "Paired tests match predictions by (seed, sample) (seeds paired in ascending order when the two sides ran different seeds). All tests are two-sided.",
        "McNemar: exact binomial on discordant pairs (statsmodels mcnemar(exact=True)). Wilcoxon: scipy.stats.wilcoxon defaults on per-subject accuracy differences (zeros dropped, no continuity correction; exact when n <= 50 without ties or zeros, exhaustive sign-flip permutation when n <= 13 with ties or zeros, normal approximation with tie correction otherwise). Paired t: scipy.stats.ttest_rel across seeds.",
        "Ordinal tasks (ordinal: true): grade = class index in the experiment's classes order; MAE = mean |true - predicted grade|; QWK = scikit-learn cohen_kappa_score(weights='quadratic', labels=range(K)) over the full class list; both per seed, mean ± sample sd over seeds.",
        "Approximate randomisation: seeded random paired swaps (rounds stated per test), p = (count + 1) / (rounds + 1). Bootstrap: subject-level percentile 95% intervals, seeded (resamples stated per interval). Holm correction across all variant pairs, per test, when more than one pair is compared.",
    ]
}

