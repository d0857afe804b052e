import Dataset
import Evaluation
import Foundation
import HTNet
import TestSupport
import XCTest
@testable import Coordination

/// `classes:` and `ordinal:` (issue 13): parsing, the head width, old files unchanged, a 6-class
/// synthetic run in-process with per-class scores and ordinal metrics in the report, and a map file
/// that reads 6 grades of one folder as 3 classes.
final class LabelSetTests: XCTestCase {
    private func problems(_ text: String, base: String = NSTemporaryDirectory()) -> [String] {
        do {
            _ = try ExperimentFile.parse(text, file: "bad.yaml", baseDirectory: base)
            XCTFail("accepted:\n\(text)")
            return []
        } catch let error as ExperimentFileError {
            return error.problems.map { "\($0.field): \($0.message)" }
        } catch {
            XCTFail("\(error)")
            return []
        }
    }

    func testClassesSetTheNamesAndTheHeadWidth() throws {
        let e = try ExperimentFile.parse("""
            name: g
            dataset: synthetic
            classes: [I, II, III, IV, V, VI]
            ordinal: true
            model: {dim: 8, heads: 2}
            variants: [{name: a}, {name: b, model: {dim: 16}}]
            """, file: "g.yaml")
        XCTAssertEqual(e.classes, ClassSpec(names: ["I", "II", "III", "IV", "V", "VI"], ordinal: true))
        XCTAssertEqual(e.variants.map(\.model.numClasses), [6, 6])
        XCTAssertTrue(e.canonicalJSON.contains("\"classes\""))
    }

    func testAnExperimentWithoutClassesIsUnchanged() throws {
        let text = "name: d\ndataset: synthetic\nmodel: {dim: 8, heads: 2}\n"
        let e = try ExperimentFile.parse(text, file: "d.yaml")
        XCTAssertNil(e.classes)
        XCTAssertEqual(e.variants[0].model.numClasses, 3)
        XCTAssertFalse(e.canonicalJSON.contains("\"classes\""), "the identity of old experiment files must not change")
        let built = Experiment(name: "d", dataset: DatasetSpec(kind: .synthetic, seed: 0), evaluation: ProtocolSpec(kind: .loso),
                               seeds: [0], selection: .final,
                               variants: [ExperimentVariant(name: "base", model: HTNetConfig(dim: 8, heads: 2), training: TrainingConfig())])
        XCTAssertEqual(e.identity, built.identity)
    }

    func testBadClassesAreNamed() {
        let found = problems("""
            name: g
            dataset: synthetic
            classes: [only]
            """)
        XCTAssertTrue(found.contains { $0.hasPrefix("classes: lists 1 class") }, "\(found)")
        XCTAssertTrue(problems("name: g\ndataset: synthetic\nclasses: [a, b, a]\n").contains { $0.contains("repeats a class name") })
        XCTAssertTrue(problems("name: g\ndataset: synthetic\nordinal: true\n").contains { $0.hasPrefix("ordinal: needs classes") })
        XCTAssertTrue(problems("name: g\ndataset: synthetic\nclasses: [a, b]\nmodel: {num_classes: 3}\n")
            .contains { $0.hasPrefix("model.num_classes: 3 but classes: lists 2") })
        XCTAssertTrue(problems("name: g\ndataset: synthetic\nclasses: {names: [a, b], extra: 1}\n").contains { $0.hasPrefix("classes.extra") })
    }

    func testAMapFileReadsGradesAsThreeClasses() throws {
        let dir = try temporaryDirectory(self)
        try "label,class\n1,mild\n2,mild\n3,moderate\n4,moderate\n5,severe\n6,severe\n".write(toFile: dir + "/three.csv", atomically: true, encoding: .utf8)
        try "label,class\nI,0\nII,0\nIII,1\n".write(toFile: dir + "/indices.csv", atomically: true, encoding: .utf8)
        try "label,class\n1,mild\n1,severe\n".write(toFile: dir + "/twice.csv", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir + "/data", withIntermediateDirectories: true)
        let e = try ExperimentFile.parse("name: g\ndataset: data\nclasses: three.csv\n", file: "g.yaml", baseDirectory: dir)
        XCTAssertEqual(e.classes?.names, ["mild", "moderate", "severe"])
        XCTAssertEqual(e.classes?.map?.classIndex(of: "4"), 1)
        XCTAssertEqual(e.variants[0].model.numClasses, 3)
        let ordered = try ExperimentFile.parse("name: g\ndataset: data\nclasses: {names: [severe, moderate, mild], map: three.csv}\n",
                                               file: "g.yaml", baseDirectory: dir)
        XCTAssertEqual(ordered.classes?.map?.classIndex(of: "6"), 0, "names given in the experiment set the index order")
        XCTAssertEqual(try ExperimentFile.parse("name: g\ndataset: data\nclasses: indices.csv\n", file: "g.yaml", baseDirectory: dir).classes?.names,
                       ["0", "1"])
        XCTAssertTrue(problems("name: g\ndataset: data\nclasses: twice.csv\n", base: dir).contains { $0.contains("mapped twice (line 2)") })
        XCTAssertTrue(problems("name: g\ndataset: synthetic\nclasses: {names: [a, b], map: three.csv}\n", base: dir)
            .contains { $0.hasPrefix("classes.map") })
    }

    /// A 6-class synthetic composite runs end to end in-process; the report has six classes, a 6x6
    /// confusion matrix, per-class rows and (ordinal) MAE and QWK equal to a direct computation.
    func testASixClassSyntheticRunReportsEveryClassAndOrdinalScores() throws {
        let dir = try temporaryDirectory(self)
        try """
            name: six
            dataset: {source: synthetic, seed: 2, subjects: 3, samples: 36}
            protocol: {kfold: 3}
            classes: [g1, g2, g3, g4, g5, g6]
            ordinal: true
            model: {dim: 8, heads: 2, block_repeats: [1, 1, 1]}
            training: {epochs: 2, batch_size: 32, lr: 0.001}
            """.write(toFile: dir + "/six.yaml", atomically: true, encoding: .utf8)
        var options = RunOptions(experimentPath: dir + "/six.yaml")
        options.out = dir + "/out"
        options.threads = 1
        let status = CoordinatorSession(options: options, communicator: nil, log: { _ in }).run()
        XCTAssertEqual(status, 0)
        let run = try JournalReader.runRecord(try JournalReader.read(path: dir + "/out/journal.jsonl"))
        XCTAssertEqual(run.classNames, ["g1", "g2", "g3", "g4", "g5", "g6"])
        XCTAssertEqual(Set(run.rows.map(\.label)), Set(0..<6), "every grade is in the generated data")
        XCTAssertTrue(run.rows.allSatisfy { $0.logits.count == 6 })
        let report = try RunReport(run)
        let v = report.main.variants[0]
        XCTAssertEqual(v.pooled.confusion.counts.count, 6)
        XCTAssertEqual(v.pooled.classes.count, 6)
        let direct = OrdinalScores(labels: run.rows.map(\.label), predictions: run.rows.map(\.pred), classCount: 6)
        XCTAssertEqual(v.ordinal?.pooled, direct)
        XCTAssertEqual(v.ordinal?.meanAbsoluteError.mean, direct.meanAbsoluteError, "one seed: the seed mean is the pooled value")
        let markdown = try String(contentsOfFile: dir + "/out/report.md", encoding: .utf8)
        XCTAssertTrue(markdown.contains("MAE (grades)"))
        XCTAssertTrue(markdown.contains("| g6 |"), "per-class rows for all six classes")
    }
}
