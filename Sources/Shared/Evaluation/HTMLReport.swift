/// report.html: one self-contained file (inline CSS and SVG, no scripts, nothing fetched) with the
/// same tables as report.md plus charts: variant comparison with bootstrap intervals, confusion
/// matrices, per-subject bars and training curves. The alternate epoch selection gets its own boxed,
/// labelled section so its numbers cannot be mistaken for the run's.
public enum HTMLReport {
    static let style = """
    body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
    table{border-collapse:collapse;margin:.5em 0 1em;font-size:13px}
    th,td{border:1px solid #ccc;padding:3px 7px;text-align:left}th{background:#f2f2f2}
    .banner{padding:.6em 1em;border-left:6px solid #2c7;background:#eefaf2;margin:1em 0}
    .banner.optimistic{border-color:#d33;background:#fdecec}
    .alternate{border:3px dashed #d33;padding:0 1em 1em;margin:2em 0;background:#fffafa}
    .charts{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}
    .scroll{overflow-x:auto}
    pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:12px}
    nav a{margin-right:1em}
    """

    public static func render(_ r: RunReport) -> String {
        var h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        h += "<title>Report: \(escape(r.experimentName))</title><style>\(style)</style></head><body>\n"
        h += "<h1>Report: \(escape(r.experimentName))</h1>\n"
        h += "<nav><a href=\"#run\">Run</a><a href=\"#results\">Results</a><a href=\"#tests\">Tests</a>"
            + (r.alternate != nil ? "<a href=\"#alternate\">Other selection</a>" : "")
            + (r.predictionRules.isEmpty ? "" : "<a href=\"#rules\">Prediction rules</a>")
            + (r.noise != nil ? "<a href=\"#noise\">Noise robustness</a>" : "")
            + (r.embeddingMaps.isEmpty ? "" : "<a href=\"#maps\">Embedding maps</a>")
            + "<a href=\"#curves\">Training curves</a><a href=\"#conventions\">Conventions</a><a href=\"#configuration\">Configuration</a></nav>\n"
        if let c = r.completeness, !c.isComplete { h += "<div class=\"banner optimistic\"><strong>\(escape(c.summary))</strong></div>\n" }
        h += banner(r.main.protocolDescription)
        h += "<h2 id=\"run\">Run</h2><ul>"
        h += "<li>Software version: \(escape(r.softwareVersion))</li>"
        h += "<li>Classes: \(escape(r.classNames.enumerated().map { "\($0.offset) = \($0.element)" }.joined(separator: ", ")))</li>"
        h += "<li>Wall time: \(ReportFormat.seconds(r.timings.wallSeconds)); \(r.timings.tasks) tasks, "
            + "\(ReportFormat.seconds(r.timings.taskSecondsTotal)) of training in total, mean \(ReportFormat.seconds(r.timings.taskSecondsMean)), "
            + "longest \(ReportFormat.seconds(r.timings.taskSecondsMax)) per task</li>"
        h += "<li>Hosts: \(escape(r.hosts.isEmpty ? "—" : r.hosts.joined(separator: "; ")))</li></ul>\n"
        if !r.timings.workers.isEmpty { h += table(ReportTables.workers(r.timings)) }
        if !r.trainingProtocol.isEmpty { h += "<h3>Training protocol</h3>" + table(ReportTables.trainingProtocol(r.trainingProtocol)) }
        h += results(r.main, classNames: r.classNames, idPrefix: "", heading: "Results — \(r.main.protocolDescription.label)")
        if let alt = r.alternate {
            h += "<section class=\"alternate\" id=\"alternate\"><h2>Other epoch selection, reported separately: "
                + "\(escape(alt.protocolDescription.label))</h2>"
            h += "<p><strong>These are the same tasks under a different epoch-selection rule. They are NOT the run's protocol ("
                + "\(escape(r.main.protocolDescription.label))) and must not be quoted as its result.</strong></p>"
            h += banner(alt.protocolDescription)
            h += "<h3>Gap between the two selections</h3>" + table(ReportTables.gap(main: r.main, alternate: alt))
            h += results(alt, classNames: r.classNames, idPrefix: "alt-", heading: "Results — \(alt.protocolDescription.label) (separate)")
            h += "</section>\n"
        }
        h += RobustnessSections.html(r)
        h += "<h2 id=\"curves\">Training curves</h2>"
        h += "<p>Mean over the tasks (folds × seeds) of each variant, per epoch.</p>"
        h += table(ReportTables.curves(r.curves))
        if !r.curves.isEmpty {
            let names = r.curves.map(\.variant)
            func series(_ train: (MeanCurve.Point) -> Double, _ test: (MeanCurve.Point) -> Double) -> [(name: String, colorIndex: Int, dashed: Bool, points: [(x: Double, y: Double)])] {
                r.curves.enumerated().flatMap { i, c in [
                    (name: "\(c.variant) test", colorIndex: i, dashed: false, points: c.points.map { (x: Double($0.epoch), y: test($0)) }),
                    (name: "\(c.variant) train", colorIndex: i, dashed: true, points: c.points.map { (x: Double($0.epoch), y: train($0)) }),
                ] }
            }
            h += "<div class=\"charts\">"
            h += SVGChart.lines(series({ $0.trainLoss }, { $0.testLoss }), title: "Loss (each variant's own loss)", xLabel: "epoch", yLabel: "loss", legendNames: names)
            h += SVGChart.lines(series({ $0.trainAccuracy }, { $0.testAccuracy }), title: "Accuracy", xLabel: "epoch", yLabel: "accuracy", legendNames: names)
            h += "</div>\n"
        }
        if !r.datasetCurves.isEmpty {
            h += "<h3>Test accuracy per epoch per source dataset</h3><p>Each fold's test accuracy weighted by its test samples, "
                + "pooled over the folds and seeds of that dataset.</p>"
            let series = r.datasetCurves.enumerated().map { i, c in
                (name: "\(c.variant): \(c.dataset)", colorIndex: i, dashed: false, points: c.points.map { (x: Double($0.epoch), y: $0.accuracy) })
            }
            h += "<div class=\"charts\">" + SVGChart.lines(series, title: "Test accuracy per dataset", xLabel: "epoch", yLabel: "accuracy",
                                                         legendNames: series.map(\.name)) + "</div>\n"
            h += table(ReportTables.datasetCurves(r.datasetCurves))
        }
        h += "<h2 id=\"conventions\">Conventions</h2><ul>" + ReportTables.conventions.map { "<li>\(escape($0))</li>" }.joined() + "</ul>\n"
        h += "<h2 id=\"configuration\">Configuration</h2><pre>\(escape(r.configuration))</pre>\n"
        h += "</body></html>\n"
        return h
    }

    static func banner(_ p: ProtocolDescription) -> String {
        "<div class=\"banner\(p.optimistic ? " optimistic" : "")\"><strong>Protocol: \(escape(p.label)).</strong> "
            + (p.optimistic ? "<strong>WARNING:</strong> " : "") + escape(p.note) + "</div>\n"
    }

    static func results(_ s: SelectionResults, classNames: [String], idPrefix: String, heading: String) -> String {
        var h = "<h2 id=\"\(idPrefix)results\">\(escape(heading))</h2>"
        h += table(ReportTables.summary(s))
        h += "<p>UF1 / UAR: mean over seeds ± sample std (ddof = 1); CI: subject-level bootstrap.</p>"
        var rows: [(label: String, estimate: Double?, lower: Double?, upper: Double?, colorIndex: Int)] = []
        for metric in [ScoreMetric.uf1, .uar] {
            for (i, v) in s.variants.enumerated() {
                let ci = ReportFormat.interval(v.intervals, metric, of: v.name)
                rows.append((label: "\(metric.rawValue) \(v.name)", estimate: metric == .uf1 ? v.uf1.mean : v.uar.mean,
                             lower: ci?.lower, upper: ci?.upper, colorIndex: i))
            }
        }
        h += "<div class=\"charts\">" + SVGChart.intervals(rows, title: "Variants: score with 95% subject-bootstrap CI", zeroLine: false)
        if !s.comparisons.isEmpty {
            let diffs = s.comparisons.flatMap { c in [ScoreMetric.uf1, .uar].map { m -> (label: String, estimate: Double?, lower: Double?, upper: Double?, colorIndex: Int) in
                let d = ReportFormat.differenceInterval(c.intervals, m)
                return (label: "\(m.rawValue) \(c.nameB) − \(c.nameA)", estimate: d?.estimate, lower: d?.lower, upper: d?.upper,
                        colorIndex: m == .uf1 ? 0 : 1)
            } }
            h += SVGChart.intervals(diffs, title: "Differences between variants (B − A), 95% CI", zeroLine: true)
        }
        h += "</div>"
        h += "<h3>Per source dataset</h3>" + table(ReportTables.datasets(s))
        h += "<h3>Per seed</h3>" + table(ReportTables.perSeed(s))
        h += "<h3>Per class and confusion matrices (pooled over seeds)</h3><div class=\"charts\">"
        for v in s.variants {
            h += "<div><h4>\(escape(v.name))</h4>" + table(ReportTables.perClass(v, classNames: classNames))
            h += SVGChart.confusionMatrix(v.pooled.confusion.counts, classNames: classNames,
                                          title: "\(v.name): true (rows) × predicted") + "</div>"
        }
        h += "</div>"
        h += "<h3>Per subject (pooled over seeds)</h3>"
        let subjectTable = ReportTables.subjects(s)
        let subjects = subjectTable.rows.map { $0[0] }
        h += "<div class=\"scroll\">" + SVGChart.groupedBars(
            categories: subjects,
            series: s.variants.map { v in (name: v.name, values: subjects.map { n in v.subjects.first { $0.subject == n }?.accuracy }) },
            title: "Per-subject accuracy", yLabel: "accuracy") + "</div>"
        h += "<details><summary>Per-subject table</summary>" + table(subjectTable) + "</details>"
        if !s.comparisons.isEmpty || !s.comparisonNotes.isEmpty {
            h += "<h3 id=\"\(idPrefix)tests\">Significance tests between variants</h3>"
            if s.holmApplied { h += "<p>p (Holm): Holm-adjusted across the \(s.comparisons.count) pairs, per test.</p>" }
            for c in s.comparisons {
                h += "<h4>A = \(escape(c.nameA)), B = \(escape(c.nameB))</h4>"
                h += "<p>Pairing: \(escape(c.pairing)). \(c.matchedPredictions) matched predictions over \(c.subjects) subjects and "
                    + "\(c.seedPairs) seed pair(s); unmatched: \(c.unmatchedA) in A, \(c.unmatchedB) in B.</p>"
                h += table(ReportTables.tests(c)) + table(ReportTables.intervals(c))
            }
            h += s.comparisonNotes.map { "<p>Not compared: \(escape($0))</p>" }.joined()
        }
        return h
    }

    static func table(_ t: ReportTable) -> String {
        "<table><tr>" + t.header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>"
            + t.rows.map { "<tr>" + $0.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }.joined() + "</table>\n"
    }

    static func escape(_ s: String) -> String { SVGChart.escape(s) }
}
