/// The variants ranked by mean UF1 over seeds (highest first), each tested against the top one:
/// for runs that compare many strategies (fusion studies), the table a reader looks at first.
/// The p-values are those of the pairwise comparisons, Holm-adjusted across all variant pairs per
/// test (PairwiseComparison.applyHolm), so reading the column does not inflate the error rate.
extension ReportTables {
    static func ranking(_ s: SelectionResults) -> ReportTable {
        let ranked = s.variants.enumerated().sorted {
            ($0.element.uf1.mean ?? -1, -$0.offset) > ($1.element.uf1.mean ?? -1, -$1.offset)
        }.map(\.element)
        let best = ranked.first?.name
        func comparison(_ name: String) -> PairwiseComparison? {
            s.comparisons.first { ($0.nameA == best && $0.nameB == name) || ($0.nameB == best && $0.nameA == name) }
        }
        func p(_ c: PairwiseComparison?, _ index: Int) -> String {
            guard let c, index < c.tests.count else { return "—" }
            return ReportFormat.p(c.tests[index].pHolm ?? c.tests[index].p)
        }
        return ReportTable(header: ["rank", "variant", "UF1", "UF1 95% CI", "UAR", "UF1 − best",
                                    "McNemar p (Holm)", "Wilcoxon p (Holm)", "randomisation UF1 p (Holm)"],
                           rows: ranked.enumerated().map { i, v in
                               let c = v.name == best ? nil : comparison(v.name)
                               var gap: Double?
                               if let mine = v.uf1.mean, let top = ranked.first?.uf1.mean { gap = mine - top }
                               return ["\(i + 1)", v.name, ReportFormat.spread(v.uf1),
                                       ReportFormat.interval(ReportFormat.interval(v.intervals, .uf1, of: v.name)),
                                       ReportFormat.spread(v.uar), v.name == best ? "—" : gap.map { ReportFormat.score($0) } ?? "—",
                                       p(c, 0), p(c, 1), p(c, 4)]
                           })
    }
}
