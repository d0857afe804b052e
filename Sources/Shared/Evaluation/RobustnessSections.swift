/// The report sections of the signal-geometry study: prediction rules, input-noise robustness per
/// SNR level and the t-SNE maps of test embeddings, in Markdown and HTML from the same tables.
enum RobustnessSections {
    static let noiseConvention = "Each fold's final-epoch model scores its test inputs again with additive Gaussian noise "
        + "N(0, P / 10^(SNR/10)) on every input value, P = mean of x^2 over that sample's values (signal power per sample); "
        + "the noise of a sample depends on training.noise_seed, the level and the sample's name only, so every variant, seed "
        + "and worker count sees the same noisy inputs. The noise is added to the sample as stored (composed BGR 0..255), before "
        + "DDAMFN's resize and normalisation, so HTNet and DDAMFN variants score the same noisy samples. UF1 / UAR: mean over seeds; CI: subject-level bootstrap 95%; "
        + "tests: approximate randomisation on the paired predictions of each pair of variants, Holm-adjusted across that level's pairs."

    static func markdown(_ r: RunReport) -> String {
        var md = ""
        if !r.predictionRules.isEmpty {
            md += "\n## Losses and prediction rules\n\n" + r.predictionRules.map { "- \(MarkdownReport.text($0))" }.joined(separator: "\n") + "\n"
        }
        if let noise = r.noise {
            md += "\n## Input-noise robustness (final epoch)\n\n\(noiseConvention)\n\n"
            md += MarkdownReport.table(noise.table())
            let tests = noise.testTable()
            if !tests.rows.isEmpty { md += "\n### Paired tests per SNR level\n\n" + MarkdownReport.table(tests) }
        }
        if !r.embeddingMaps.isEmpty {
            md += "\n## Embedding maps\n\nt-SNE maps are drawn in report.html; embeddings.csv holds the vectors.\n\n"
            md += MarkdownReport.table(mapTable(r.embeddingMaps))
        }
        return md
    }

    static func html(_ r: RunReport) -> String {
        var h = ""
        if !r.predictionRules.isEmpty {
            h += "<h2 id=\"rules\">Losses and prediction rules</h2><ul>"
                + r.predictionRules.map { "<li>\(HTMLReport.escape($0))</li>" }.joined() + "</ul>\n"
        }
        if let noise = r.noise {
            h += "<h2 id=\"noise\">Input-noise robustness (final epoch)</h2><p>\(HTMLReport.escape(noiseConvention))</p>"
            let levels = noise.levels.map(\.label)
            h += "<div class=\"charts\">"
            h += SVGChart.levelCurves(noise.curves(.uf1), levels: levels, title: "UF1 against input SNR (95% subject-bootstrap CI)", yLabel: "UF1")
            h += SVGChart.levelCurves(noise.curves(.uar), levels: levels, title: "UAR against input SNR (95% subject-bootstrap CI)", yLabel: "UAR")
            h += "</div>" + HTMLReport.table(noise.table())
            let tests = noise.testTable()
            if !tests.rows.isEmpty { h += "<h3>Paired tests per SNR level</h3>" + HTMLReport.table(tests) }
        }
        if !r.embeddingMaps.isEmpty {
            h += "<h2 id=\"maps\">Embedding maps</h2><p>\(HTMLReport.escape(mapConvention))</p><div class=\"charts\">"
            h += r.embeddingMaps.map { SVGChart.embeddingMap($0, classNames: r.classNames) }.joined()
            h += "</div>" + HTMLReport.table(mapTable(r.embeddingMaps))
        }
        return h
    }

    static let mapConvention = "Test embeddings of each fold's final model (HTNet: the pooled, LayerNormed top feature, or its projection; "
        + "DDAMFN: the 512-d vector its classifier reads, the output of its linear ConvBN block over the attention-weighted feature map), "
        + "one map per variant (never mixing widths), first seed of the variant, pooled over folds (each fold embeds with its own model), L2-normalised, then exact t-SNE "
        + "(perplexity 30, or (n - 1) / 3 when fewer points, PCA initialisation, 1000 iterations; checked against scikit-learn). "
        + "Colour = true class, shape = source dataset; hover a point for its name."

    static func mapTable(_ maps: [EmbeddingMap]) -> ReportTable {
        ReportTable(header: ["variant", "seed", "points", "dims", "perplexity", "KL divergence", "trustworthiness (5-NN)"],
                    rows: maps.map { m in
                        [m.variant, "\(m.seed)", "\(m.points.count)", "\(m.dimensions)", ReportFormat.score(m.perplexity),
                         ReportFormat.score(m.klDivergence), ReportFormat.score(m.trustworthiness)]
                    })
    }
}
