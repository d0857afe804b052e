import Dataset
import Foundation
import TestSupport
import Tensor
import XCTest
@testable import Coordination

/// `protocol: {kfold: K, stratified: true}`: subject-whole folds whose class proportions are at
/// least as balanced as scikit-learn's StratifiedGroupKFold on the real composite's labels and
/// subjects. Reference numbers: scripts/reference/stratified_group_kfold_reference.py (scikit-learn
/// 1.9.1): the largest |fold proportion - whole-set proportion| over folds and classes.
final class StratifiedFoldTests: XCTestCase {
    /// (K, sklearn shuffle=False per-fold test class counts; median, mean, 90th percentile and max of
    /// the max deviation over shuffle=True random_state 0..199)
    static let reference: [(k: Int, unshuffled: [[Int]], median: Double, mean: Double, p90: Double, worst: Double)] = [
        (5, [[32, 17, 12], [31, 16, 14], [31, 16, 15], [33, 17, 13], [31, 17, 14]], 0.021871, 0.023330, 0.033071, 0.045560),
        (10, [[28, 9, 5], [16, 7, 6], [12, 10, 6], [12, 7, 7], [18, 6, 7], [10, 10, 6], [22, 11, 6], [13, 8, 8], [13, 7, 10], [14, 8, 7]],
         0.129699, 0.132674, 0.155340, 0.163673),
    ]

    func compositeLabels() throws -> (subjects: [String], labels: [Int]) {
        let path = try SharedData.path("data/composite/combined_3_class2_for_optical_flow.csv")
        // The file has CRLF line ends (one Character "\r\n" in Swift).
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isNewline).map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let sub = header.firstIndex(of: "sub")!, label = header.firstIndex(of: "label")!
        let rows = lines.dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        return (rows.map { $0[sub] }, rows.map { Int($0[label])! })
    }

    static func maxDeviation(_ folds: [FoldPlan], labels: [Int], classCount: Int) -> Double {
        let overall = FoldPlan.classCounts(Array(labels.indices), labels: labels, classCount: classCount).map { Double($0) / Double(labels.count) }
        return folds.map { fold in
            let counts = FoldPlan.classCounts(fold.testIndices, labels: labels, classCount: classCount)
            return zip(counts, overall).map { abs(Double($0) / Double(fold.testIndices.count) - $1) }.max()!
        }.max()!
    }

    func testPerFoldClassProportionsAreWithinStratifiedGroupKFoldOnTheComposite() throws {
        let (subjects, labels) = try compositeLabels()
        XCTAssertEqual(labels.count, 309)
        for ref in Self.reference {
            // The same greedy rule: without the shuffle, exactly scikit-learn's folds.
            let fold = StratifiedGroupFolds.assign(groups: subjects, labels: labels, k: ref.k, seedKeys: [], shuffle: false)
            let counts = (0..<ref.k).map { f in
                FoldPlan.classCounts(labels.indices.filter { fold[subjects[$0]] == f }, labels: labels, classCount: 3)
            }
            XCTAssertEqual(counts, ref.unshuffled, "K=\(ref.k)")
            var ours: [Double] = [], plain: [Double] = []
            for seed in 0..<200 {
                let folds = LOSOPlanner.folds(subjects: subjects, labels: labels,
                                              protocol: ProtocolSpec(kind: .kfold, k: ref.k, splitSeed: UInt64(seed), stratified: true))
                // Subjects whole: every subject's samples are in exactly one test fold; every sample tested once.
                XCTAssertEqual(folds.flatMap(\.testIndices).sorted(), Array(labels.indices))
                for fold in folds {
                    XCTAssertFalse(fold.testIndices.isEmpty)
                    XCTAssertTrue(Set(fold.trainIndices.map { subjects[$0] }).isDisjoint(with: fold.testSubjects))
                }
                ours.append(Self.maxDeviation(folds, labels: labels, classCount: 3))
                plain.append(Self.maxDeviation(LOSOPlanner.folds(subjects: subjects, labels: labels,
                                                                 protocol: ProtocolSpec(kind: .kfold, k: ref.k, splitSeed: UInt64(seed))),
                                               labels: labels, classCount: 3))
            }
            // Seeded shuffles: the distribution of the worst class-proportion gap matches sklearn's
            // (numpy percentiles, linear interpolation).
            let sorted = ours.sorted()
            func percentile(_ q: Double) -> Double {
                let x = q * Double(sorted.count - 1), lo = Int(x), hi = min(lo + 1, sorted.count - 1)
                return sorted[lo] + (x - Double(lo)) * (sorted[hi] - sorted[lo])
            }
            let median = percentile(0.5), mean = ours.reduce(0, +) / Double(ours.count)
            XCTAssertLessThanOrEqual(median, ref.median + 0.005, "K=\(ref.k): median like sklearn's")
            XCTAssertLessThanOrEqual(mean, ref.mean + 0.005, "K=\(ref.k): mean like sklearn's")
            XCTAssertLessThanOrEqual(percentile(0.9), ref.p90 + 0.005, "K=\(ref.k): 90th percentile like sklearn's")
            // (The single worst of 200 shuffles is a tail sample of either generator and is not compared.)
            XCTAssertLessThan(median, plain.sorted()[99...100].reduce(0, +) / 2, "K=\(ref.k): better balanced than the unstratified split (\(plain))")
        }
    }

    func testValidationSplitHoldsOutTrainingSubjectsOnly() {
        // 12 subjects x 5 samples, labels cycling over 3 classes.
        let subjects = (0..<60).map { "s\($0 / 5)" }, labels = (0..<60).map { $0 % 3 }
        let folds = LOSOPlanner.folds(subjects: subjects, labels: labels,
                                      protocol: ProtocolSpec(kind: .kfold, k: 3, splitSeed: 1, stratified: true, validationFraction: 0.25),
                                      validation: true)
        for fold in folds {
            let test = Set(fold.testIndices), validation = Set(fold.validationIndices), train = Set(fold.trainIndices)
            XCTAssertFalse(validation.isEmpty)
            XCTAssertTrue(validation.isDisjoint(with: test) && validation.isDisjoint(with: train) && train.isDisjoint(with: test))
            XCTAssertEqual(validation.count + train.count + test.count, 60)
            let vs = Set(fold.validationIndices.map { subjects[$0] }), ts = Set(fold.trainIndices.map { subjects[$0] })
            XCTAssertTrue(vs.isDisjoint(with: ts), "subject-independent validation")
            XCTAssertEqual(vs.count, 2, "8 training subjects, fraction 0.25: a quarter of them")
        }
        // The same seed gives the same split; the split never depends on the test side's labels.
        var corrupted = labels
        for i in folds[0].testIndices { corrupted[i] = (corrupted[i] + 1) % 3 }
        let again = LOSOPlanner.validationSplit(trainIndices: folds[0].trainIndices + folds[0].validationIndices,
                                                subjects: subjects, labels: corrupted, fraction: 0.25,
                                                seedKeys: [stableHash("validation-split"), 1, stableHash("fold:k1")])
        XCTAssertEqual(again.sorted(), folds[0].validationIndices.sorted())
    }

    func testSplitColumnMakesOneFold() {
        let subjects = ["a", "a", "b", "c", "c", "d"]
        let splits: [String?] = ["train", "train", "val", "test", "test", "train"]
        let plain = LOSOPlanner.folds(subjects: subjects, labels: [0, 1, 0, 1, 0, 1], splits: splits, protocol: ProtocolSpec(kind: .split))
        XCTAssertEqual(plain, [FoldPlan(key: "split", testSubjects: ["c"], trainIndices: [0, 1, 5], testIndices: [3, 4])],
                       "without validation selection the val rows are unused")
        let validated = LOSOPlanner.folds(subjects: subjects, labels: [0, 1, 0, 1, 0, 1], splits: splits,
                                          protocol: ProtocolSpec(kind: .split), validation: true)
        XCTAssertEqual(validated[0].validationIndices, [2])
        XCTAssertEqual(validated[0].trainIndices, [0, 1, 5])
    }

    func testProtocolKeysAreParsedAndChecked() throws {
        let e = try ExperimentFile.parse("""
            name: p
            dataset: synthetic
            protocol: {kfold: 5, stratified: true, validation_fraction: 0.25, split_seed: 3}
            epoch_selection: validation
            """, file: "p.yaml")
        XCTAssertEqual(e.evaluation, ProtocolSpec(kind: .kfold, k: 5, splitSeed: 3, stratified: true, validationFraction: 0.25))
        XCTAssertEqual(e.selection, .validation)
        XCTAssertEqual(try ExperimentFile.parse("name: p\ndataset: synthetic\nprotocol: {split: column}\n", file: "p.yaml").evaluation.kind, .split)
        XCTAssertThrowsError(try ExperimentFile.parse("name: p\ndataset: synthetic\nprotocol: {kfold: 5, validation_fraction: 1.5}\n", file: "p.yaml")) {
            XCTAssertTrue("\($0)".contains("protocol.validation_fraction"))
        }
        XCTAssertThrowsError(try ExperimentFile.parse("name: p\ndataset: synthetic\nprotocol: {split: rows}\n", file: "p.yaml"))
        // Old k-fold files keep their identity: no stratified / validation_fraction keys are written.
        let old = try ExperimentFile.parse("name: p\ndataset: synthetic\nprotocol: {kfold: 4}\n", file: "p.yaml")
        XCTAssertFalse(old.canonicalJSON.contains("stratified") || old.canonicalJSON.contains("validation_fraction"))
    }
}
