import XCTest
@testable import Evaluation

/// Expected values were computed once with scikit-learn 1.9.1 (Python 3.11) and pasted here:
///   from sklearn.metrics import f1_score, balanced_accuracy_score, accuracy_score, precision_recall_fscore_support
///   f1_score(y, p, average='macro'); balanced_accuracy_score(y, p); accuracy_score(y, p)
///   precision_recall_fscore_support(y, p, labels=[0, 1, 2], zero_division=0)
final class ClassificationMetricsTests: XCTestCase {
    func scores(_ y: [Int], _ p: [Int]) -> ClassificationScores {
        ClassificationScores(labels: y, predictions: p, classCount: 3)
    }

    func testImbalanced() {
        let s = scores([0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 2, 0, 0, 1], [0, 0, 1, 0, 2, 0, 0, 1, 0, 2, 2, 0, 0, 1, 1])
        XCTAssertEqual(s.uf1!, 0.6479925303454714, accuracy: 1e-12)
        XCTAssertEqual(s.uar!, 0.6666666666666666, accuracy: 1e-12)
        XCTAssertEqual(s.accuracy!, 0.6666666666666666, accuracy: 1e-12)
        XCTAssertEqual(s.classes.map(\.precision), [0.75, 0.5, 0.6666666666666666], accuracy: 1e-12)
        XCTAssertEqual(s.classes.map(\.recall), [0.6666666666666666, 0.6666666666666666, 0.6666666666666666], accuracy: 1e-12)
        XCTAssertEqual(s.classes.map(\.f1), [0.7058823529411765, 0.5714285714285714, 0.6666666666666666], accuracy: 1e-12)
        XCTAssertEqual(s.classes.map(\.support), [9, 3, 3])
    }

    /// Class 2 is predicted but never true: it counts in UF1 (F1 = 0) but not in UAR.
    func testLabelsLackAPredictedClass() {
        let s = scores([0, 0, 1, 1, 1, 0], [0, 2, 1, 1, 0, 2])
        XCTAssertEqual(s.uf1!, 0.4000000000000001, accuracy: 1e-12)
        XCTAssertEqual(s.uar!, 0.5, accuracy: 1e-12)
        XCTAssertEqual(s.accuracy!, 0.5, accuracy: 1e-12)
        XCTAssertEqual(s.classes.map(\.precision), [0.5, 1.0, 0.0], accuracy: 1e-12)
        XCTAssertEqual(s.classes.map(\.f1), [0.4, 0.8, 0.0], accuracy: 1e-12)
    }

    /// Class 2 is true but never predicted: it counts in both (F1 = 0, recall = 0).
    func testPredictionsLackALabelClass() {
        let s = scores([0, 1, 2, 2, 1, 0, 2], [0, 1, 1, 1, 1, 0, 0])
        XCTAssertEqual(s.uf1!, 0.48888888888888893, accuracy: 1e-12)
        XCTAssertEqual(s.uar!, 0.6666666666666666, accuracy: 1e-12)
        XCTAssertEqual(s.accuracy!, 0.5714285714285714, accuracy: 1e-12)
        XCTAssertEqual(s.classes.map(\.precision), [0.6666666666666666, 0.5, 0.0], accuracy: 1e-12)
        XCTAssertEqual(s.classes.map(\.recall), [1.0, 1.0, 0.0], accuracy: 1e-12)
    }

    /// One true class (as in a single subject's fold); the other classes appear only as predictions.
    func testOnlyOneTrueClass() {
        let s = scores([1, 1, 1, 1], [1, 0, 1, 2])
        XCTAssertEqual(s.uf1!, 0.2222222222222222, accuracy: 1e-12)
        XCTAssertEqual(s.uar!, 0.5, accuracy: 1e-12)
        XCTAssertEqual(s.accuracy!, 0.5, accuracy: 1e-12)
    }

    /// Hand-worked: a class in neither labels nor predictions is ignored by UF1 and UAR.
    func testAbsentClassIgnored() {
        let s = scores([0, 1, 0, 1], [0, 1, 1, 1])
        // class 0: P 1, R 1/2, F1 2/3; class 1: P 2/3, R 1, F1 4/5; class 2 absent.
        XCTAssertEqual(s.uf1!, (2.0 / 3 + 0.8) / 2, accuracy: 1e-15)
        XCTAssertEqual(s.uar!, 0.75, accuracy: 1e-15)
        XCTAssertEqual(s.confusion.counts, [[1, 1, 0], [0, 2, 0], [0, 0, 0]])
    }

    func testEmptyIsUndefined() {
        let s = scores([], [])
        XCTAssertNil(s.uf1); XCTAssertNil(s.uar); XCTAssertNil(s.accuracy)
    }

    /// numpy: np.std([...], ddof=1); np.quantile([3,1,4,1,5,9,2,6], [0.025, 0.975]) -> [1.0, 8.475]
    func testSampleStatistics() {
        XCTAssertEqual(SampleStatistics.standardDeviation([0.61, 0.58, 0.66])!, 0.040414518843273836, accuracy: 1e-12)
        XCTAssertNil(SampleStatistics.standardDeviation([0.5]))
        let sorted = [3.0, 1, 4, 1, 5, 9, 2, 6].sorted()
        XCTAssertEqual(SampleStatistics.quantile(sorted: sorted, 0.025)!, 1.0, accuracy: 1e-12)
        XCTAssertEqual(SampleStatistics.quantile(sorted: sorted, 0.975)!, 8.475, accuracy: 1e-12)
    }
}

func XCTAssertEqual(_ a: [Double], _ b: [Double], accuracy: Double, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, "lengths differ", file: file, line: line)
    for (x, y) in zip(a, b) { XCTAssertEqual(x, y, accuracy: accuracy, file: file, line: line) }
}
