import Foundation

/// report.tex: the headline tables of a run as LaTeX booktabs tables a paper can include: per
/// variant, and per variant and source dataset, UF1 and UAR as mean ± sd over seeds with the
/// subject-bootstrap 95% CI, under both epoch rules, each row saying which rule it is.
///
/// The file compiles on its own (`pdflatex report.tex`, packages booktabs only); each table sits
/// between `% begin table:` / `% end table:` comments so it can be copied into a paper, which then
/// needs `\usepackage{booktabs}`. Scores are written with 3 decimals, as papers in the field do; the
/// Markdown and HTML reports keep 4.
public enum LaTeXReport {
    public static func render(_ r: RunReport) -> String {
        var selections = [r.main]
        if let alt = r.alternate { selections.append(alt) }
        var tex = """
        % report.tex of run '\(comment(r.experimentName))', written by the LOSO HTNet trainer \(comment(r.provenance?.sessions.last?.software ?? r.softwareVersion)).
        % Compile with: pdflatex report.tex   (needs booktabs)
        \\documentclass{article}
        \\usepackage[T1]{fontenc}
        \\usepackage[utf8]{inputenc}
        \\usepackage{booktabs}
        \\usepackage[margin=2cm,landscape]{geometry}
        \\begin{document}
        \\section*{\(escape(r.experimentName))}

        """
        tex += variantTable(selections, experiment: r.experimentName)
        tex += datasetTable(selections, experiment: r.experimentName)
        tex += "\\end{document}\n"
        return tex
    }

    static func variantTable(_ selections: [SelectionResults], experiment: String) -> String {
        var rows: [String] = []
        for (i, s) in selections.enumerated() {
            if i > 0 { rows.append("\\midrule") }
            for v in s.variants {
                rows.append([escape(v.name), ruleLabel(s), "\(v.seeds.count)",
                             spread(v.uf1), interval(ReportFormat.interval(v.intervals, .uf1, of: v.name)),
                             spread(v.uar), interval(ReportFormat.interval(v.intervals, .uar, of: v.name))]
                    .joined(separator: " & ") + " \\\\")
            }
        }
        return table(name: "variants", columns: "llrcccc",
                     header: "Variant & Epoch rule & Seeds & UF1 & UF1 95\\% CI & UAR & UAR 95\\% CI \\\\",
                     rows: rows,
                     caption: "\(escape(experiment)): leave-one-subject-out results per variant. " + captionConventions(selections),
                     label: "tab:\(labelText(experiment))-variants")
    }

    static func datasetTable(_ selections: [SelectionResults], experiment: String) -> String {
        var rows: [String] = []
        for (i, s) in selections.enumerated() {
            if i > 0 { rows.append("\\midrule") }
            for v in s.variants {
                for d in v.datasets {
                    rows.append([escape(v.name), escape(d.dataset), ruleLabel(s), "\(d.pooled.samples)",
                                 spread(d.uf1OverSeeds), interval(ReportFormat.interval(d.intervals, .uf1, of: v.name)),
                                 spread(d.uarOverSeeds), interval(ReportFormat.interval(d.intervals, .uar, of: v.name))]
                        .joined(separator: " & ") + " \\\\")
                }
            }
        }
        return table(name: "datasets", columns: "lllrcccc",
                     header: "Variant & Dataset & Epoch rule & Predictions & UF1 & UF1 95\\% CI & UAR & UAR 95\\% CI \\\\",
                     rows: rows,
                     caption: "\(escape(experiment)): results per source dataset (predictions counted over all seeds). "
                        + captionConventions(selections),
                     label: "tab:\(labelText(experiment))-datasets")
    }

    static func table(name: String, columns: String, header: String, rows: [String], caption: String, label: String) -> String {
        """
        % begin table: \(name)
        \\begin{table}[ht]
        \\centering
        \\caption{\(caption)}
        \\label{\(label)}
        \\begin{tabular}{\(columns)}
        \\toprule
        \(header)
        \\midrule
        \(rows.joined(separator: "\n"))
        \\bottomrule
        \\end{tabular}
        \\end{table}
        % end table: \(name)


        """
    }

    static func captionConventions(_ selections: [SelectionResults]) -> String {
        var text = "UF1 = macro F1, UAR = mean per-class recall, each computed on all folds of a seed pooled; "
            + "mean $\\pm$ sample sd (ddof = 1) over seeds; 95\\% CI: subject-level percentile bootstrap."
        if selections.contains(where: { $0.protocolDescription.optimistic }) {
            text += " Rows marked best-test-epoch pick each fold's epoch by its test accuracy (the reference code's rule): "
                + "they read the test labels and are optimistic."
        }
        return text
    }

    static func ruleLabel(_ s: SelectionResults) -> String {
        s.protocolDescription.optimistic ? "best-test-epoch (optimistic)" : escape(s.protocolDescription.label)
    }

    static func score(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "--" }
        return String(format: "%.3f", x)
    }

    static func spread(_ s: SeedSpread) -> String {
        guard let sd = s.std else { return score(s.mean) }
        return "\(score(s.mean)) $\\pm$ \(score(sd))"
    }

    static func interval(_ i: BootstrapInterval?) -> String {
        guard let i, i.lower != nil else { return "--" }
        return "[\(score(i.lower)), \(score(i.upper))]"
    }

    /// Escapes the characters LaTeX treats specially in running text.
    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "\\": out += "\\textbackslash{}"
            case "{", "}", "$", "&", "#", "_", "%": out += "\\\(c)"
            case "^": out += "\\textasciicircum{}"
            case "~": out += "\\textasciitilde{}"
            case "<": out += "\\textless{}"
            case ">": out += "\\textgreater{}"
            default: out.append(c)
            }
        }
        return out
    }

    /// Text for a comment line: no line breaks.
    static func comment(_ s: String) -> String { s.replacingOccurrences(of: "\n", with: " ") }

    /// A \label key: letters, digits and hyphens only.
    static func labelText(_ s: String) -> String {
        String(s.map { $0.isLetter || $0.isNumber ? $0 : "-" })
    }
}
