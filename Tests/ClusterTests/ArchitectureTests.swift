import DDAMFN
import Foundation
import HTNet
import TestSupport
import XCTest
@testable import Coordination
@testable import Wire

/// `model.arch: htnet | ddamfn` (issue 19): the experiment file, the planner and the wire carry the
/// architecture; a DDAMFN variant and an HTNet variant of one experiment train on the same folds,
/// with identical results for 1 and 2 workers.
final class ArchitectureTests: XCTestCase {
    static let experimentText = """
        name: arch
        dataset: {source: synthetic, seed: 5, subjects: 2, samples: 6}
        protocol: {kfold: 2}
        seeds: [1]
        training: {epochs: 1, batch_size: 4}
        variants:
          - {name: htnet, model: {dim: 8, heads: 2, block_repeats: [1, 1, 1]}, training: {lr: 0.001}}
          - {name: ddamfn, model: {arch: ddamfn, num_heads: 1, conv4_blocks: 0}}
        """

    func testArchitectureKeysAndTheReferenceDefaults() throws {
        let e = try ExperimentFile.parse(Self.experimentText, file: "arch.yaml")
        XCTAssertEqual(e.variants.map(\.architecture), ["htnet", "ddamfn"])
        let d = e.variants[1]
        XCTAssertEqual(d.ddamfn, DDAMFNConfig(classes: 3, heads: 1, conv4Blocks: 0))
        XCTAssertEqual(d.training.learningRate, 0.01)
        XCTAssertEqual(d.training.optimizer, .sgd)
        XCTAssertEqual(d.training.momentum, 0.9)
        XCTAssertEqual(d.training.weightDecay, 1e-4)
        XCTAssertEqual(d.training.attentionWeight, 0.1)
        XCTAssertEqual(d.training.faceAugment, FaceAugmentation())
        XCTAssertNil(e.variants[0].ddamfn)
        XCTAssertEqual(e.variants[0].training.learningRate, 0.001)
        // An HTNet-only experiment encodes as before: no DDAMFN keys in its identity.
        let htnetOnly = try ExperimentFile.parse("name: h\ndataset: synthetic\nmodel: {dim: 8}\n", file: "h.yaml")
        XCTAssertFalse(htnetOnly.canonicalJSON.contains("ddamfn"))
        XCTAssertFalse(htnetOnly.canonicalJSON.contains("optimizer"))
        // classes: sets DDAMFN's head width like HTNet's.
        let seven = try ExperimentFile.parse("""
            name: fer
            dataset: synthetic
            classes: [anger, disgust, fear, happiness, sadness, surprise, neutral]
            model: {arch: ddamfn}
            training: {optimizer: adam, lr: 0.0001, face_augment: {erasing: false}}
            """, file: "fer.yaml")
        XCTAssertEqual(seven.variants[0].ddamfn, DDAMFNConfig(classes: 7, heads: 2, conv4Blocks: 9))
        XCTAssertEqual(seven.variants[0].training.optimizer, .adam)
        XCTAssertNil(seven.variants[0].training.momentum)
        XCTAssertEqual(seven.variants[0].training.faceAugment, FaceAugmentation(crop: true, flip: true, erasing: false))
    }

    func testArchitectureProblemsAreNamed() {
        func problems(_ text: String) -> [String] {
            do { _ = try ExperimentFile.parse(text, file: "bad.yaml"); XCTFail("accepted"); return [] } catch let e as ExperimentFileError {
                return e.problems.map { "\($0.field): \($0.message)" }
            } catch { XCTFail("\(error)"); return [] }
        }
        let p = problems("""
            name: bad
            dataset: synthetic
            variants:
              - {name: a, model: {arch: resnet}}
              - {name: b, training: {optimizer: sgd}}
              - {name: c, model: {arch: ddamfn, num_heads: 0, dim: 8}, training: {batch_size: 1}}
            """)
        XCTAssertTrue(p.contains { $0.hasPrefix("variants[0].model.arch: 'resnet' is not one of: htnet, ddamfn") }, "\(p)")
        XCTAssertTrue(p.contains("variants[1].training.optimizer: applies to model.arch: ddamfn only"), "\(p)")
        XCTAssertTrue(p.contains { $0.hasPrefix("variants[2].model.dim: unknown field") }, "\(p)")
    }

    /// Face datasets in experiment files: formats, paths relative to the file, named problems; the
    /// loaded set is checked against the variants (7 classes, 3 channels).
    func testFaceDatasetsInExperimentFiles() throws {
        let dir = try temporaryDirectory(self)
        let pixels = Array(repeating: "7", count: 2304).joined(separator: " ")
        try (["emotion,pixels,Usage"] + (0..<6).map { "\($0 % 7),\"\(pixels)\",\($0 < 4 ? "Training" : "PublicTest")" })
            .joined(separator: "\n").write(toFile: dir + "/fer.csv", atomically: true, encoding: .utf8)
        let e = try ExperimentFile.parse("""
            name: fer
            dataset: {format: fer2013, path: fer.csv, usage: [Training]}
            classes: [anger, disgust, fear, happiness, sadness, surprise, neutral]
            protocol: {kfold: 2}
            model: {arch: ddamfn}
            """, file: "fer.yaml", baseDirectory: dir)
        XCTAssertEqual(e.dataset, DatasetSpec(kind: .fer2013, path: dir + "/fer.csv", usage: ["Training"]))
        let data = try DatasetPreparation.load(e.dataset, outDirectory: dir + "/out", classes: e.classes)
        XCTAssertEqual(data.samples.count, 4)
        XCTAssertEqual(DatasetPreparation.problems(data, experiment: e), [])
        let faces = try ExperimentFile.parse("name: f\ndataset: {source: synthetic-fer, seed: 2, subjects: 3, samples: 7}\nmodel: {arch: ddamfn, num_classes: 7}\n", file: "f.yaml")
        XCTAssertEqual(faces.dataset.kind, .syntheticExpressions)
        let synthetic = try DatasetPreparation.load(faces.dataset, outDirectory: dir + "/out2")
        XCTAssertEqual(synthetic.samples.count, 21)
        XCTAssertEqual(DatasetPreparation.problems(synthetic, experiment: faces), [])
        do {
            _ = try ExperimentFile.parse("name: bad\ndataset: {format: ferplus, path: fer.csv, usage: Training}\n", file: "bad.yaml", baseDirectory: dir)
            XCTFail("accepted")
        } catch let error as ExperimentFileError {
            let p = error.problems.map { "\($0.field): \($0.message)" }
            XCTAssertTrue(p.contains { $0.hasPrefix("dataset.labels: missing: FER+'s label file") }, "\(p)")
            XCTAssertTrue(p.contains { $0.hasPrefix("dataset.usage: 'Training' must be a list") }, "\(p)")
        }
    }

    func testAssignmentsCarryTheDDAMFNShapeOverTheWire() throws {
        let e = try ExperimentFile.parse(Self.experimentText, file: "arch.yaml")
        let subjects = (1...6).map { "s\($0)" }
        let tasks = LOSOPlanner.tasks(experiment: e, subjects: subjects)
        let ddamfnTask = try XCTUnwrap(tasks.first { $0.variant.name == "ddamfn" })
        XCTAssertEqual(ddamfnTask.assignment.ddamfn, e.variants[1].ddamfn)
        XCTAssertNil(tasks.first { $0.variant.name == "htnet" }!.assignment.ddamfn)
        for task in tasks {
            XCTAssertEqual(try MessageCodec.decode(MessageCodec.encode(.assignment(task.assignment))), .assignment(task.assignment))
        }
        // The planner's cost follows DDAMFN's FLOPs (0.889 GFLOP at the reference's shape).
        var reference = e.variants[1]
        reference.ddamfn = DDAMFNConfig()
        XCTAssertEqual(LOSOPlanner.forwardFLOPsPerSample(reference), 2 * 444_304_672)
        XCTAssertGreaterThan(ddamfnTask.cost, tasks.first { $0.variant.name == "htnet" }!.cost)
    }

    /// Both variants train under mpirun with 1 and 2 workers; predictions are byte-identical, and the
    /// report compares the two architectures with its paired tests.
    func testOneAndTwoWorkersGiveIdenticalPredictionsForBothArchitectures() throws {
        try MPIJob.requireMPI()
        let directory = try MPIJob.scratch("cluster-arch", files: ["arch.yaml": Self.experimentText])
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var outputs: [Data] = []
        for workers in [1, 2] {
            let job = try MPIJob.run(["run", "arch.yaml", "--out", "w\(workers)", "--threads", "1"], workers: workers, in: directory)
            XCTAssertEqual(job.status, 0, job.output)
            outputs.append(try MPIJob.predictions(out: "\(directory)/w\(workers)"))
        }
        XCTAssertEqual(outputs[0], outputs[1])
        let report = try String(contentsOfFile: "\(directory)/w2/report.md", encoding: .utf8)
        XCTAssertTrue(report.contains("ddamfn") && report.contains("htnet"), report)
        XCTAssertTrue(report.range(of: "McNemar", options: .caseInsensitive) != nil, report)
    }
}
