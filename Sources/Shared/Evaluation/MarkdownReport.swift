/// report.md: the run's numbers as Markdown tables, in the order a reader needs them: protocol first
/// (with the optimism warning when it applies), headline scores, breakdowns, tests, then the other
/// epoch selection in its own clearly labelled section.
public enum MarkdownReport {
    public static func render(_ r: RunReport) -> String {
        var md = "# Report: \(r.experimentName)\n\n"
        if let c = r.completeness, !c.isComplete { md += "> **\(text(c.summary))**\n\n" }
        if let mixed = r.mixedSettings {
            md += "> **MIXED SETTINGS: these tasks were not all trained under the same configuration and data.**\n"
                + mixed.map { "> - \(text($0))" }.joined(separator: "\n") + "\n\n"
        }
        md += protocolBanner(r.main.protocolDescription) + "\n"
        md += "## Run\n\n"
        md += "- Software version: \(r.provenance?.sessions.last?.software ?? r.softwareVersion)\n"
        md += "- Classes: \(r.classNames.enumerated().map { "\($0.offset) = \($0.element)" }.joined(separator: ", "))\n"
        md += "- Wall time: \(ReportFormat.seconds(r.timings.wallSeconds)); \(r.timings.tasks) tasks, "
            + "\(ReportFormat.seconds(r.timings.taskSecondsTotal)) of training in total, "
            + "mean \(ReportFormat.seconds(r.timings.taskSecondsMean)), longest \(ReportFormat.seconds(r.timings.taskSecondsMax)) per task\n"
        md += "- Hosts: \(r.hosts.isEmpty ? "—" : text(r.hosts.joined(separator: "; ")))\n"
        if let notes = r.provenance?.dataNotes, !notes.isEmpty {
            md += "- Data notes (what the loader had to do; see `coordinator dataset inspect`):\n"
                + notes.map { "  - \(text($0.trimmingCharacters(in: .whitespaces)))\n" }.joined()
        }
        md += "\n"
        if !r.timings.workers.isEmpty { md += table(ReportTables.workers(r.timings)) }
        if !r.trainingProtocol.isEmpty { md += "\n### Training protocol\n\n" + table(ReportTables.trainingProtocol(r.trainingProtocol)) }
        md += "\n## Provenance\n\n"
        if let p = r.provenance, !p.sessions.isEmpty {
            md += table(ReportTables.provenance(p))
        } else {
            md += "Not recorded (a run journalled before provenance was recorded).\n"
        }
        md += results(r.main, classNames: r.classNames, heading: "Results — \(r.main.protocolDescription.label)")
        if let reference = r.reference {
            md += "\n### Against the published reference\n\n" + referenceNote(reference) + "\n\n" + table(ReportTables.reference(reference))
        }
        if let others = r.others, let alt = r.alternate {
            md += "\n### Epoch rules side by side\n\nThe same tasks under each rule; only the first is the run's protocol.\n\n"
            md += table(ReportTables.rules([r.main, alt] + others))
        }
        if let alt = r.alternate {
            md += "\n---\n\n## Other epoch selection, reported separately: \(alt.protocolDescription.label)\n\n"
            md += "These are the same tasks under a different epoch-selection rule. They are NOT the run's protocol "
                + "(\(r.main.protocolDescription.label)) and must not be quoted as its result.\n\n"
            md += protocolBanner(alt.protocolDescription) + "\n"
            md += "### Gap between the two selections\n\n" + table(ReportTables.gap(main: r.main, alternate: alt))
            if let optimism = r.optimism, !optimism.isEmpty {
                md += "\nOptimism of best-test-epoch (best-test-epoch − final), subject-level bootstrap 95% CI:\n\n"
                md += table(ReportTables.optimism(optimism))
            }
            md += results(alt, classNames: r.classNames, heading: "Results — \(alt.protocolDescription.label) (separate)")
        }
        for other in r.others ?? [] {
            md += "\n---\n\n## Other epoch selection, reported separately: \(other.protocolDescription.label)\n\n"
            md += protocolBanner(other.protocolDescription) + "\n"
            md += results(other, classNames: r.classNames, heading: "Results — \(other.protocolDescription.label) (separate)")
        }
        md += RobustnessSections.markdown(r)
        md += "\n## Training curves\n\n" + table(ReportTables.curves(r.curves))
        if !r.datasetCurves.isEmpty {
            md += "\n### Test accuracy per epoch per source dataset\n\n"
                + "Each fold's test accuracy weighted by its test samples, pooled over the folds and seeds of that dataset.\n\n"
                + table(ReportTables.datasetCurves(r.datasetCurves))
        }
        md += "\n## Conventions\n\n" + ReportTables.conventions.map { "- \($0)" }.joined(separator: "\n") + "\n"
        md += "\n## Configuration\n\n```json\n\(r.configuration)\n```\n"
        return md
    }

    /// What the across-seeds tests answer, printed above their table in every format.
    static let acrossSeedsNote = "Each seed is one training; Welch's t asks whether the variants' mean per-seed score differs "
        + "(seeds of different variants are independent samples, not pairs). With few seeds the power is low: "
        + "a large p means the spread between seeds hides any difference."

    static func referenceNote(_ r: ReferenceComparison) -> String {
        "Reference: \(r.source). This run's scores under its own protocol (\(r.selection)); the experiment file states the ranges."
    }

    static func protocolBanner(_ p: ProtocolDescription) -> String {
        "> **Protocol: \(p.label).** " + (p.optimistic ? "WARNING: " : "") + p.note + "\n"
    }

    static func results(_ s: SelectionResults, classNames: [String], heading: String) -> String {
        var md = "\n## \(heading)\n\n" + table(ReportTables.summary(s))
        md += "\nUF1 / UAR: mean over seeds ± sample std (ddof = 1); CI: subject-level bootstrap.\n"
        if s.variants.count >= 3 {
            md += "\n### Ranking (by mean UF1; each variant tested against the top one, p Holm-adjusted across all \(s.comparisons.count) pairs)\n\n"
                + table(ReportTables.ranking(s))
        }
        md += "\n### Per source dataset\n\n" + table(ReportTables.datasets(s))
        md += "\n### Per seed\n\n" + table(ReportTables.perSeed(s))
        md += "\n### Per class (pooled over seeds)\n\n"
        for v in s.variants {
            md += "**\(v.name)**\n\n" + table(ReportTables.perClass(v, classNames: classNames))
            md += "\nConfusion matrix (rows = true, columns = predicted):\n\n" + table(ReportTables.confusion(v, classNames: classNames)) + "\n"
        }
        md += "### Per subject (pooled over seeds)\n\n" + table(ReportTables.subjects(s))
        if !s.comparisons.isEmpty || !s.comparisonNotes.isEmpty {
            md += "\n### Significance tests between variants\n\n"
            if s.holmApplied { md += "p (Holm): Holm-adjusted across the \(s.comparisons.count) pairs, per test.\n\n" }
            for c in s.comparisons { md += comparison(c) + "\n" }
            for note in s.comparisonNotes { md += "- not compared: \(note)\n" }
        }
        if !s.acrossSeeds.isEmpty {
            md += "\n### Across seeds (Welch t-tests on per-seed scores)\n\n" + acrossSeedsNote + "\n\n"
                + table(ReportTables.acrossSeeds(s))
        }
        return md
    }

    /// One comparison: what was paired, every test (test, quantity, n, statistic, p, tail, method),
    /// and the bootstrap intervals. `coordinator compare` prints exactly this.
    public static func comparison(_ c: PairwiseComparison) -> String {
        var md = "#### A = \(c.nameA), B = \(c.nameB)\n\n"
        md += "Pairing: \(c.pairing). \(c.matchedPredictions) matched predictions over \(c.subjects) subjects and "
            + "\(c.seedPairs) seed pair(s); unmatched: \(c.unmatchedA) in A, \(c.unmatchedB) in B.\n\n"
        md += "UF1: A \(ReportFormat.score(c.uf1A)), B \(ReportFormat.score(c.uf1B)); "
            + "UAR: A \(ReportFormat.score(c.uarA)), B \(ReportFormat.score(c.uarB)) (means over seed pairs).\n\n"
        md += "Per seed pair (each seed is an independent training; p (Holm): \(c.holmFamily)):\n\n"
        md += table(ReportTables.perSeedComparison(c))
        md += "\nOver all seed pairs:\n\n" + table(ReportTables.tests(c))
        if !c.intervals.isEmpty { md += "\n" + table(ReportTables.intervals(c)) }
        return md
    }

    /// Text from the data (subject and sample names, hosts) as Markdown that renders it literally:
    /// Markdown passes raw HTML through, so `<`, `>` and `&` become entities.
    static func text(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }

    static func table(_ t: ReportTable) -> String {
        func cell(_ s: String) -> String { text(s).replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ") }
        var out = "| " + t.header.map(cell).joined(separator: " | ") + " |\n"
        out += "|" + t.header.map { _ in " --- |" }.joined() + "\n"
        for row in t.rows { out += "| " + row.map(cell).joined(separator: " | ") + " |\n" }
        return out
    }
}
