import Evaluation

extension ExperimentFile.Parser {
    /// `reference: {source: TEXT, uf1: {DATASET: [low, high], ...}, uar: {...}}`: published ranges
    /// the report puts beside the run's scores. Dataset names are those of the run's samples
    /// (smic, casme2, samm, ...) or `composite`; ranges are fractions with low <= high.
    mutating func reference(_ raw: Any?) -> PublishedReference? {
        guard let raw else { return nil }
        guard let entry = raw as? [String: Any] else {
            problem("reference", "must be a mapping {source: TEXT, uf1: {DATASET: [low, high]}, uar: {...}}")
            return nil
        }
        for key in entry.keys.sorted() where !["source", "uf1", "uar"].contains(key) {
            problem("reference.\(key)", "unknown field (a reference has source, uf1, uar)")
        }
        guard let source = entry["source"] as? String, !source.isEmpty else {
            problem("reference.source", "required: where the numbers come from (e.g. \"official code, 5 runs, final epoch\")")
            return nil
        }
        let uf1 = ranges(entry["uf1"], field: "reference.uf1"), uar = ranges(entry["uar"], field: "reference.uar")
        if uf1 == nil && uar == nil { problem("reference", "gives no ranges: add uf1 and/or uar") }
        return PublishedReference(source: source, uf1: uf1, uar: uar)
    }

    private mutating func ranges(_ raw: Any?, field: String) -> [String: ScoreRange]? {
        guard let raw else { return nil }
        guard let map = raw as? [String: Any], !map.isEmpty else {
            problem(field, "must be a mapping of dataset name (or composite) to [low, high]")
            return nil
        }
        var ranges: [String: ScoreRange] = [:]
        for name in map.keys.sorted() {
            let values = (map[name] as? [Any])?.compactMap { ($0 as? Double) ?? ($0 as? Int).map(Double.init) }
            guard let values, values.count == 2, (map[name] as? [Any])?.count == 2 else {
                problem("\(field).\(name)", "must be [low, high] (two numbers), got \(map[name]!)")
                continue
            }
            guard values[0] >= 0, values[1] <= 1, values[0] <= values[1] else {
                problem("\(field).\(name)", "[\(values[0]), \(values[1])] is not a range of fractions (0 <= low <= high <= 1)")
                continue
            }
            ranges[name] = ScoreRange(low: values[0], high: values[1])
        }
        return ranges
    }
}
