/// report.html: one self-contained file (inline CSS and SVG, no scripts, nothing fetched) with the
/// same tables as report.md plus charts: variant comparison with bootstrap intervals, confusion
/// matrices, per-subject bars and training curves. The alternate epoch selection gets its own boxed,
/// labelled section so its numbers cannot be mistaken for the run's.
public enum HTMLReport {
    static let style = """
    body{font-family:system-ui,sans-serif;max-width:1200px;margin:2em auto;padding:0 1em;color:#222}
    table{border-collapse:collapse;margin:.5em 0 1em;font-size:13px;display:block;max-width:100%;overflow-x:auto}
    svg{max-width:100%;height:auto}
    th,td{border:1px solid #ccc;padding:3px 7px;text-align:left}th{background:#f2f2f2}
    .banner{padding:.6em 1em;border-left:6px solid #2c7;background:#eefaf2;margin:1em 0}
    .banner.optimistic{border-color:#d33;background:#fdecec}
    .alternate{border:3px dashed #d33;padding:0 1em 1em;margin:2em 0;background:#fffafa}
    .charts{display:flex;flex-wrap:wrap;gap:1em;align-items:flex-start}
    .scroll{overflow-x:auto}
    pre{background:#f6f6f6;padding:1em;overflow-x:auto;font-size:12px}
    nav a{margin-right:1em}
    """

    /// `appendix`: extra sections (HTML) placed before the end, e.g. the explanation gallery of a
    /// run that kept its models.
    public static func render(_ r: RunReport, appendix: String = "") -> String {
        var h = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        h += "<title>Report: \(escape(r.experimentName))</title><style>\(style)</style></head><body>\n"
        h += "<h1>Report: \(escape(r.experimentName))</h1>\n"
        h += "<nav><a href=\"#run\">Run</a><a href=\"#provenance\">Provenance</a><a href=\"#results\">Results</a><a href=\"#tests\">Tests</a>"
            + (r.alternate != nil ? "<a href=\"#alternate\">Other selection</a>" : "")
            + (r.predictionRules.isEmpty ? "" : "<a href=\"#rules\">Prediction rules</a>")
            + (r.noise != nil ? "<a href=\"#noise\">Noise robustness</a>" : "")
            + (r.embeddingMaps.isEmpty ? "" : "<a href=\"#maps\">Embedding maps</a>")
            + "<a href=\"#curves\">Training curves</a><a href=\"#conventions\">Conventions</a><a href=\"#configuration\">Configuration</a></nav>\n"
        if let c = r.completeness, !c.isComplete { h += "<div class=\"banner optimistic\"><strong>\(escape(c.summary))</strong></div>\n" }
        if let mixed = r.mixedSettings {
            h += "<div class=\"banner optimistic\"><strong>MIXED SETTINGS: these tasks were not all trained under the same configuration and data.</strong><ul>"
                + mixed.map { "<li>\(escape($0))</li>" }.joined() + "</ul></div>\n"
        }
        h += banner(r.main.protocolDescription)
        h += "<h2 id=\"run\">Run</h2><ul>"
        h += "<li>Software version: \(escape(r.provenance?.sessions.last?.software ?? r.softwareVersion))</li>"
        h += "<li>Classes: \(escape(r.classNames.enumerated().map { "\($0.offset) = \($0.element)" }.joined(separator: ", ")))</li>"
        h += "<li>Wall time: \(ReportFormat.seconds(r.timings.wallSeconds)); \(r.timings.tasks) tasks, "
            + "\(ReportFormat.seconds(r.timings.taskSecondsTotal)) of training in total, mean \(ReportFormat.seconds(r.timings.taskSecondsMean)), "
            + "longest \(ReportFormat.seconds(r.timings.taskSecondsMax)) per task</li>"
        h += "<li>Hosts: \(escape(r.hosts.isEmpty ? "—" : r.hosts.joined(separator: "; ")))</li>"
        if let notes = r.provenance?.dataNotes, !notes.isEmpty {
            h += "<li>Data notes (what the loader had to do; see <code>coordinator dataset inspect</code>):<ul>"
                + notes.map { "<li>\(escape($0.trimmingCharacters(in: .whitespaces)))</li>" }.joined() + "</ul></li>"
        }
        h += "</ul>\n"
        if !r.timings.workers.isEmpty { h += table(ReportTables.workers(r.timings)) }
        if !r.trainingProtocol.isEmpty { h += "<h3>Training protocol</h3>" + table(ReportTables.trainingProtocol(r.trainingProtocol)) }
        h += "<h3 id=\"provenance\">Provenance</h3>"
        if let p = r.provenance, !p.sessions.isEmpty {
            h += "<div class=\"scroll\">" + table(ReportTables.provenance(p)) + "</div>"
        } else {
            h += "<p>Not recorded (a run journalled before provenance was recorded).</p>"
        }
        h += results(r.main, classNames: r.classNames, idPrefix: "", heading: "Results — \(r.main.protocolDescription.label)")
        if let reference = r.reference {
            h += "<h3>Against the published reference</h3><p>\(escape(MarkdownReport.referenceNote(reference)))</p>"
                + table(ReportTables.reference(reference))
        }
        if let others = r.others, let alt = r.alternate {
            h += "<h3>Epoch rules side by side</h3><p>The same tasks under each rule; only the first is the run's protocol.</p>"
            h += table(ReportTables.rules([r.main, alt] + others))
        }
        if let alt = r.alternate {
            h += "<section class=\"alternate\" id=\"alternate\"><h2>Other epoch selection, reported separately: "
                + "\(escape(alt.protocolDescription.label))</h2>"
            h += "<p><strong>These are the same tasks under a different epoch-selection rule. They are NOT the run's protocol ("
                + "\(escape(r.main.protocolDescription.label))) and must not be quoted as its result.</strong></p>"
            h += banner(alt.protocolDescription)
            h += "<h3>Gap between the two selections</h3>" + table(ReportTables.gap(main: r.main, alternate: alt))
            if let optimism = r.optimism, !optimism.isEmpty {
                h += "<p>Optimism of best-test-epoch (best-test-epoch − final), subject-level bootstrap 95% CI:</p>"
                h += table(ReportTables.optimism(optimism)) + HTMLCharts.optimism(optimism, selections: [r.main, alt] + (r.others ?? []))
            }
            h += results(alt, classNames: r.classNames, idPrefix: "alt-", heading: "Results — \(alt.protocolDescription.label) (separate)")
            h += "</section>\n"
        }
        for (i, other) in (r.others ?? []).enumerated() {
            h += "<section class=\"alternate\" id=\"other\(i + 1)\"><h2>Other epoch selection, reported separately: "
                + "\(escape(other.protocolDescription.label))</h2>" + banner(other.protocolDescription)
            h += results(other, classNames: r.classNames, idPrefix: "other\(i + 1)-", heading: "Results — \(other.protocolDescription.label) (separate)")
            h += "</section>\n"
        }
        h += RobustnessSections.html(r)
        h += "<h2 id=\"curves\">Training curves</h2>"
        h += "<p>Mean over the tasks (folds × seeds) of each variant, per epoch.</p>"
        h += table(ReportTables.curves(r.curves))
        h += "<div class=\"charts\">" + HTMLCharts.curves(r.curves) + "</div>\n"
        if !r.datasetCurves.isEmpty {
            h += "<h3>Test accuracy per epoch per source dataset</h3><p>Each fold's test accuracy weighted by its test samples, "
                + "pooled over the folds and seeds of that dataset.</p>"
            h += "<div class=\"charts\">" + HTMLCharts.datasetCurves(r.datasetCurves) + "</div>\n"
            h += table(ReportTables.datasetCurves(r.datasetCurves))
        }
        h += "<h2 id=\"conventions\">Conventions</h2><ul>" + ReportTables.conventions.map { "<li>\(escape($0))</li>" }.joined() + "</ul>\n"
        h += appendix
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
        h += "<div class=\"charts\">" + HTMLCharts.variants(s)
        if !s.comparisons.isEmpty { h += HTMLCharts.differences(s) }
        h += "</div>"
        h += "<h3>Per source dataset</h3>" + table(ReportTables.datasets(s))
        h += "<div class=\"charts\">" + HTMLCharts.datasets(s) + "</div>"
        h += "<h3>Per seed</h3>" + table(ReportTables.perSeed(s))
        h += "<h3>Per class and confusion matrices (pooled over seeds)</h3><div class=\"charts\">"
        for v in s.variants {
            h += "<div><h4>\(escape(v.name))</h4>" + table(ReportTables.perClass(v, classNames: classNames))
            h += HTMLCharts.confusion(v, classNames: classNames) + "</div>"
        }
        h += "</div>"
        h += "<h3>Per subject (pooled over seeds)</h3>"
        let subjectTable = ReportTables.subjects(s)
        h += "<div class=\"scroll\">" + HTMLCharts.subjects(s) + "</div>"
        h += "<details><summary>Per-subject table</summary>" + table(subjectTable) + "</details>"
        if !s.comparisons.isEmpty || !s.comparisonNotes.isEmpty {
            h += "<h3 id=\"\(idPrefix)tests\">Significance tests between variants</h3>"
            if s.holmApplied { h += "<p>p (Holm): Holm-adjusted across the \(s.comparisons.count) pairs, per test.</p>" }
            for c in s.comparisons {
                h += "<h4>A = \(escape(c.nameA)), B = \(escape(c.nameB))</h4>"
                h += "<p>Pairing: \(escape(c.pairing)). \(c.matchedPredictions) matched predictions over \(c.subjects) subjects and "
                    + "\(c.seedPairs) seed pair(s); unmatched: \(c.unmatchedA) in A, \(c.unmatchedB) in B.</p>"
                h += "<p>Per seed pair (each seed is an independent training; p (Holm): \(escape(c.holmFamily))):</p>"
                h += table(ReportTables.perSeedComparison(c))
                h += "<p>Over all seed pairs:</p>" + table(ReportTables.tests(c)) + table(ReportTables.intervals(c))
            }
            h += s.comparisonNotes.map { "<p>Not compared: \(escape($0))</p>" }.joined()
        }
        if !s.acrossSeeds.isEmpty {
            h += "<h3>Across seeds (Welch t-tests on per-seed scores)</h3><p>\(escape(MarkdownReport.acrossSeedsNote))</p>"
                + table(ReportTables.acrossSeeds(s))
        }
        return h
    }

    static func table(_ t: ReportTable) -> String {
        "<table><tr>" + t.header.map { "<th>\(escape($0))</th>" }.joined() + "</tr>"
            + t.rows.map { "<tr>" + $0.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }.joined() + "</table>\n"
    }

    static func escape(_ s: String) -> String { SVGChart.escape(s) }
}
