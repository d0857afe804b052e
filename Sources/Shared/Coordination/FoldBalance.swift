import Dataset

/// The class balance of every fold of a plan, for the run log and `coordinator plan`: how many
/// subjects and samples each side holds and its class counts, so an unbalanced fold (7/2/3 where
/// the set is balanced) is visible before anything trains.
public struct FoldBalance: Codable, Equatable, Sendable {
    public struct Side: Codable, Equatable, Sendable {
        public var subjects: [String]
        public var samples: Int
        /// Samples per class, in class order.
        public var classCounts: [Int]
    }
    public var fold: String
    public var train: Side
    public var validation: Side
    public var test: Side

    public init(fold: FoldPlan, dataset: ComposedDataset) {
        let labels = dataset.labels, k = dataset.classNames.count
        func side(_ indices: [Int]) -> Side {
            Side(subjects: ComposedDataset.distinct(indices.map { dataset.samples[$0].subject }).sorted(),
                 samples: indices.count, classCounts: FoldPlan.classCounts(indices, labels: labels, classCount: k))
        }
        self.fold = fold.key
        train = side(fold.trainIndices)
        validation = side(fold.validationIndices)
        test = side(fold.testIndices)
    }

    /// Distinct folds of a plan in plan order (every variant and seed shares them).
    public static func folds(of plan: [PlannedTask]) -> [FoldPlan] {
        var seen = Set<String>()
        return plan.map(\.fold).filter { seen.insert($0.key).inserted }.sorted { $0.key.localizedStandardCompare($1.key) == .orderedAscending }
    }

    /// "fold k1: test 8 subjects, 62 samples, classes 32/17/13 (0.52/0.27/0.21); validation ...; train ..."
    public static func lines(plan: [PlannedTask], dataset: ComposedDataset, everyFold: Bool = false) -> [String] {
        let folds = self.folds(of: plan)
        // LOSO has one fold per subject: its balance is the subject's own; log it only on request.
        guard everyFold || folds.count <= 20 else { return [] }
        return folds.map { FoldBalance(fold: $0, dataset: dataset).line }
    }

    public var line: String {
        func text(_ name: String, _ s: Side) -> String {
            let shares = s.classCounts.map { s.samples > 0 ? String(format: "%.2f", Double($0) / Double(s.samples)) : "-" }
            return "\(name) \(s.subjects.count) subjects, \(s.samples) samples, classes \(s.classCounts.map(String.init).joined(separator: "/")) (\(shares.joined(separator: "/")))"
        }
        var parts = [text("test", test)]
        if validation.samples > 0 { parts.append(text("validation", validation)) }
        parts.append(text("train", train))
        return "fold \(fold): " + parts.joined(separator: "; ")
    }
}
