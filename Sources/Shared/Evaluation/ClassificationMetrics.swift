/// A confusion matrix over a fixed class list: `counts[true][predicted]`.
///
/// It is the one summary every score below is computed from, so the permutation and bootstrap
/// procedures can add and subtract matrices instead of re-scanning predictions.
public struct ConfusionMatrix: Codable, Equatable, Sendable {
    public private(set) var counts: [[Int]]
    public var classCount: Int { counts.count }

    public init(classCount: Int) {
        counts = Array(repeating: Array(repeating: 0, count: classCount), count: classCount)
    }

    /// Labels and predictions must lie in 0..<classCount.
    public init(labels: [Int], predictions: [Int], classCount: Int) {
        precondition(labels.count == predictions.count, "labels and predictions differ in length")
        self.init(classCount: classCount)
        for (y, p) in zip(labels, predictions) { add(label: y, prediction: p) }
    }

    public mutating func add(label: Int, prediction: Int, count: Int = 1) {
        precondition((0..<classCount).contains(label) && (0..<classCount).contains(prediction),
                     "class index out of range: label \(label), prediction \(prediction), classes \(classCount)")
        counts[label][prediction] += count
    }

    public mutating func add(_ other: ConfusionMatrix) {
        precondition(other.classCount == classCount, "confusion matrices of different sizes")
        for i in 0..<classCount { for j in 0..<classCount { counts[i][j] += other.counts[i][j] } }
    }

    public var total: Int { counts.reduce(0) { $0 + $1.reduce(0, +) } }
    public func support(_ c: Int) -> Int { counts[c].reduce(0, +) }
    public func predicted(_ c: Int) -> Int { counts.reduce(0) { $0 + $1[c] } }
    public func truePositives(_ c: Int) -> Int { counts[c][c] }
}

/// Precision, recall and F1 of one class, with scikit-learn's `zero_division` default (a ratio with
/// a zero denominator counts as 0).
public struct ClassScore: Codable, Equatable, Sendable {
    public var classIndex: Int
    public var support: Int
    public var predicted: Int
    public var precision: Double
    public var recall: Double
    public var f1: Double
}

/// The scores of one set of pooled predictions.
///
/// Conventions (docs/DESIGN.md section 5), equal to scikit-learn 1.9:
/// - UF1 = `f1_score(y_true, y_pred, average='macro')`: the mean F1 over the classes present in the
///   labels OR the predictions (classes in neither are ignored); F1 = 2TP / (2TP + FP + FN), which is
///   0 for a class that is predicted but never true, or true but never predicted.
/// - UAR = `balanced_accuracy_score(y_true, y_pred)`: the mean recall over the classes present in the
///   labels (a class that is only predicted does not count).
/// - accuracy = `accuracy_score`.
/// All three are nil for an empty set.
public struct ClassificationScores: Codable, Equatable, Sendable {
    public var samples: Int
    public var accuracy: Double?
    public var uf1: Double?
    public var uar: Double?
    /// One entry per class of the class list, including classes absent from this subset
    /// (their support and predicted counts are 0).
    public var classes: [ClassScore]
    public var confusion: ConfusionMatrix

    public init(confusion: ConfusionMatrix) {
        self.confusion = confusion
        samples = confusion.total
        var classes: [ClassScore] = []
        var f1Sum = 0.0, f1Count = 0, recallSum = 0.0, recallCount = 0, correct = 0
        for c in 0..<confusion.classCount {
            let tp = confusion.truePositives(c), support = confusion.support(c), predicted = confusion.predicted(c)
            correct += tp
            let precision = predicted > 0 ? Double(tp) / Double(predicted) : 0
            let recall = support > 0 ? Double(tp) / Double(support) : 0
            let f1Denominator = support + predicted   // = 2TP + FP + FN
            let f1 = f1Denominator > 0 ? 2 * Double(tp) / Double(f1Denominator) : 0
            if f1Denominator > 0 { f1Sum += f1; f1Count += 1 }
            if support > 0 { recallSum += recall; recallCount += 1 }
            classes.append(ClassScore(classIndex: c, support: support, predicted: predicted,
                                      precision: precision, recall: recall, f1: f1))
        }
        self.classes = classes
        accuracy = samples > 0 ? Double(correct) / Double(samples) : nil
        uf1 = f1Count > 0 ? f1Sum / Double(f1Count) : nil
        uar = recallCount > 0 ? recallSum / Double(recallCount) : nil
    }

    public init(labels: [Int], predictions: [Int], classCount: Int) {
        self.init(confusion: ConfusionMatrix(labels: labels, predictions: predictions, classCount: classCount))
    }

    /// The score a comparison is run on.
    public func value(of metric: ScoreMetric) -> Double? {
        switch metric {
        case .uf1: return uf1
        case .uar: return uar
        case .accuracy: return accuracy
        case .meanAbsoluteError: return OrdinalScores(confusion: confusion).meanAbsoluteError
        case .quadraticKappa: return OrdinalScores(confusion: confusion).quadraticKappa
        }
    }
}

/// The headline scores that tests and intervals are computed for.
public enum ScoreMetric: String, Codable, Sendable, CaseIterable {
    case uf1 = "UF1"
    case uar = "UAR"
    case accuracy
    /// Ordinal tasks only (OrdinalScores): mean absolute grade error and quadratic-weighted kappa.
    case meanAbsoluteError = "MAE"
    case quadraticKappa = "QWK"
}
