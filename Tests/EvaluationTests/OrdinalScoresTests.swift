import Evaluation
import XCTest

/// Reference values: scripts/reference/ordinal_metrics_reference.py (scikit-learn 1.9.1,
/// mean_absolute_error and cohen_kappa_score(weights='quadratic', labels=range(K))).
final class OrdinalScoresTests: XCTestCase {
    func check(_ labels: [Int], _ predictions: [Int], classes: Int, mae: Double, qwk: Double,
               file: StaticString = #filePath, line: UInt = #line) {
        let s = OrdinalScores(labels: labels, predictions: predictions, classCount: classes)
        XCTAssertEqual(s.meanAbsoluteError!, mae, accuracy: 1e-12, file: file, line: line)
        XCTAssertEqual(s.quadraticKappa!, qwk, accuracy: 1e-12, file: file, line: line)
    }

    func testSixGradesMatchScikitLearn() {
        check([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 2, 3, 0, 5], [0, 1, 1, 2, 2, 1, 3, 4, 4, 3, 5, 4, 2, 3, 5, 5],
              classes: 6, mae: 0.6875, qwk: 0.647727272727273)
    }

    /// Grade 2 occurs in neither labels nor predictions: distances stay in grade steps over the full class list.
    func testAbsentGradeKeepsGradeDistances() {
        check([0, 1, 3, 4, 5, 5, 1, 3, 4, 0], [1, 1, 3, 5, 5, 4, 0, 4, 4, 0], classes: 6, mae: 0.5, qwk: 0.929178470254957)
    }

    func testThreeClassesMatchScikitLearn() {
        check([2, 1, 2, 2, 1, 2, 2, 0, 0, 0, 0, 2, 2, 0, 1, 2, 0, 2, 0, 1, 2, 0, 1, 0, 2, 0, 2, 1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 1, 1, 2],
              [2, 0, 0, 2, 0, 0, 1, 2, 1, 2, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 2, 0, 2, 0, 0, 0, 1, 0, 2, 2, 2, 1, 0, 0, 1, 1, 1, 1, 1, 1],
              classes: 3, mae: 0.85, qwk: 0.072463768115942)
    }

    func testPerfectAgreementAndUndefinedKappa() {
        let perfect = OrdinalScores(labels: [0, 1, 2, 5], predictions: [0, 1, 2, 5], classCount: 6)
        XCTAssertEqual(perfect.meanAbsoluteError, 0)
        XCTAssertEqual(perfect.quadraticKappa, 1)
        // Everything true grade 3 and predicted 3: no expected disagreement, kappa undefined (sklearn NaN).
        let constant = OrdinalScores(labels: [3, 3], predictions: [3, 3], classCount: 6)
        XCTAssertNil(constant.quadraticKappa)
        XCTAssertNil(OrdinalScores(labels: [], predictions: [], classCount: 6).meanAbsoluteError)
    }
}
