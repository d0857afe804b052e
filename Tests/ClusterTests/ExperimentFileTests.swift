import HTNet
import TestSupport
import XCTest
@testable import Coordination
import Evaluation
@testable import Wire

final class ExperimentFileTests: XCTestCase {
    private func problems(_ text: String) -> [String] {
        do {
            _ = try ExperimentFile.parse(text, file: "bad.yaml")
            XCTFail("accepted:\n\(text)")
            return []
        } catch let error as ExperimentFileError {
            XCTAssertEqual(error.file, "bad.yaml")
            XCTAssertTrue("\(error)".hasPrefix("bad.yaml: invalid experiment"))
            return error.problems.map { "\($0.field): \($0.message)" }
        } catch {
            XCTFail("\(error)")
            return []
        }
    }

    func testAValidFileResolvesVariantsOverTheBase() throws {
        let e = try ExperimentFile.parse("""
            name: abl
            dataset: {source: synthetic, seed: 3, subjects: 2, samples: 12}
            protocol: {kfold: 4, split_seed: 9}
            seeds: [1, 2]
            model: {dim: 16, heads: 2, block_repeats: [1, 1, 1]}
            training: {epochs: 5, lr: 5e-5}
            epoch_selection: best-test-epoch
            variants:
              - name: base
              - {name: wide, model: {dim: 32}, training: {loss: weighted-cross-entropy}}
            """, file: "abl.yaml")
        XCTAssertEqual(e.dataset, DatasetSpec(kind: .synthetic, seed: 3, subjects: 2, samples: 12))
        XCTAssertEqual(e.evaluation, ProtocolSpec(kind: .kfold, k: 4, splitSeed: 9))
        XCTAssertEqual(e.selection, .bestTestEpoch)
        XCTAssertEqual(e.variants.map(\.name), ["base", "wide"])
        XCTAssertEqual(e.variants[1].model, HTNetConfig(dim: 32, heads: 2, blockRepeats: [1, 1, 1]))
        XCTAssertEqual(e.variants[1].training, TrainingConfig(epochs: 5, learningRate: 5e-5, loss: .weightedCrossEntropy))
        XCTAssertEqual(e.variants[0].training.learningRate, 5e-5)
        XCTAssertEqual(e.variants[0].model.mlpMult, 4, "missing keys keep the paper's values")
        // JSON is YAML too; the same experiment resolves to the same identity.
        let json = try ExperimentFile.parse(#"{"name": "abl", "dataset": {"source": "synthetic", "seed": 3, "subjects": 2, "samples": 12}, "protocol": {"kfold": 4, "split_seed": 9}, "seeds": [1, 2], "model": {"dim": 16, "heads": 2, "block_repeats": [1, 1, 1]}, "training": {"epochs": 5, "lr": 5e-5}, "epoch_selection": "best-test-epoch", "variants": [{"name": "base"}, {"name": "wide", "model": {"dim": 32}, "training": {"loss": "weighted-cross-entropy"}}]}"#, file: "abl.json")
        XCTAssertEqual(json.identity, e.identity)
    }

    func testDefaultsAreOneBaseVariantLOSOAndTheFinalEpoch() throws {
        let e = try ExperimentFile.parse("name: d\ndataset: synthetic\n", file: "d.yaml")
        XCTAssertEqual(e.variants.map(\.name), ["base"])
        XCTAssertEqual(e.variants[0].model, HTNetConfig())
        XCTAssertEqual(e.evaluation.kind, .loso)
        XCTAssertEqual(e.selection, .final)
        XCTAssertEqual(e.seeds, [0])
    }

    func testAReferenceIsParsedAndProblemsAreNamed() throws {
        let base = "name: r\ndataset: {source: synthetic, seed: 1, subjects: 2, samples: 6}\nseeds: [1]\n"
        let e = try ExperimentFile.parse(base + "reference: {source: five runs, uf1: {casme2: [0.81, 0.879], composite: [0.6, 0.7]}}\n",
                                         file: "r.yaml")
        XCTAssertEqual(e.reference?.source, "five runs")
        XCTAssertEqual(e.reference?.uf1?["casme2"], ScoreRange(low: 0.81, high: 0.879))
        XCTAssertNil(e.reference?.uar)
        XCTAssertTrue(e.canonicalJSON.contains("\"reference\""))
        XCTAssertEqual(PublishedReference.parse(configuration: e.canonicalJSON), e.reference)
        // Without the key nothing is encoded: existing experiments keep their identity.
        XCTAssertFalse(try ExperimentFile.parse(base, file: "r.yaml").canonicalJSON.contains("reference"))

        XCTAssertEqual(problems(base + "reference: {source: x, uf1: {casme2: [0.9, 0.8]}}\n"),
                       ["reference.uf1.casme2: [0.9, 0.8] is not a range of fractions (0 <= low <= high <= 1)"])
        XCTAssertEqual(problems(base + "reference: {source: x, uf1: {smic: [0.5]}, paper: y}\n"),
                       ["reference.paper: unknown field (a reference has source, uf1, uar)",
                        "reference.uf1.smic: must be [low, high] (two numbers), got [0.5]"])
        XCTAssertEqual(problems(base + "reference: {uf1: {smic: [0.5, 0.6]}}\n"),
                       ["reference.source: required: where the numbers come from (e.g. \"official code, 5 runs, final epoch\")"])
    }

    func testEveryProblemIsNamedByItsField() {
        let found = problems("""
            name: has space
            dataset: /no/such/folder
            protocol: {kfold: 1}
            seeds: [1, 1, -2]
            model: {dim: 8, heads: 2, block_repeats: [1, 1], dimm: 3}
            training: {epochs: 0, lr: fast}
            epoch_selection: best
            extra: 1
            """)
        let fields = found.map { String($0.prefix { $0 != ":" }) }
        for field in ["name", "dataset", "protocol.kfold", "seeds[2]", "seeds", "model.dimm", "training.lr",
                      "epoch_selection", "extra"] {
            XCTAssertTrue(fields.contains(field), "no problem for \(field) in \(found)")
        }
    }

    /// Issue 18: a fractional number where an integer belongs, and NaN or infinity anywhere, are named
    /// by key with the expected type (the JSON layer underneath used to say only "not valid JSON").
    func testWrongNumberKindsNameTheKeyAndTheExpectedType() {
        let model = problems("""
            name: n
            dataset: synthetic
            model: {dim: 16.5, block_repeats: [1, 2.5, 1]}
            training: {lr: 0.5}
            """)
        XCTAssertTrue(model.contains { $0.hasSuffix("model.dim: expected an integer, got 16.5") }, "\(model)")
        XCTAssertTrue(model.contains { $0.contains("model.block_repeats: expected an integer") }, "\(model)")
        let training = problems("""
            name: n
            dataset: synthetic
            training: {lr: .nan, epochs: 3}
            variants:
              - {name: a, training: {lr: .inf}}
            """)
        XCTAssertEqual(training, ["variants[0].training.lr: expected a finite number, got inf"], "the variant's value replaces the base's")
        let base = problems("name: n\ndataset: synthetic\ntraining: {lr: .nan}\n")
        XCTAssertTrue(base.contains { $0.hasSuffix("training.lr: expected a finite number, got nan") }, "\(base)")
        XCTAssertFalse((model + training + base).contains { $0.contains("JSON") || $0.contains("NSCocoaErrorDomain") }, "\(model + training + base)")
    }

    /// A value outside an enumerated key's set is answered with the set (the decoder names only the
    /// Swift type: "Cannot initialize Kind from invalid String value linear").
    func testEnumeratedValuesAreListed() {
        func only(_ lines: String) -> [String] { problems("name: n\ndataset: synthetic\n" + lines + "\n") }
        XCTAssertEqual(only("model: {fusion: blend}"),
                       ["model.fusion: 'blend' is not one of: \(FusionKind.allCases.map(\.rawValue).joined(separator: ", "))"])
        XCTAssertEqual(only("training: {loss: focal}"),
                       ["training.loss: 'focal' is not one of: \(LossKind.allCases.map(\.rawValue).joined(separator: ", "))"])
        XCTAssertEqual(only("training: {order: random}"), ["training.order: 'random' is not one of: csv, class-grouped, shuffle"])
        XCTAssertEqual(only("training: {init_rng: numpy}"), ["training.init_rng: 'numpy' is not one of: torch, splitmix"])
        XCTAssertEqual(only("training: {init_scope: task}"), ["training.init_scope: 'task' is not one of: seed, fold"])
        XCTAssertEqual(only("training: {lr_schedule: {kind: linear}}"),
                       ["training.lr_schedule.kind: 'linear' is not one of: constant, cosine, step"])
    }

    func testModelAndTrainingValuesAreChecked() {
        let found = problems("""
            name: v
            dataset: synthetic
            variants:
              - {name: a, model: {block_repeats: [1, 1]}}
              - {name: a, training: {epochs: 0, batch_size: 0, loss: hinge}}
              - {name: c, epochs: 3}
            """)
        XCTAssertTrue(found.contains { $0.hasPrefix("variants[0].model: block_repeats has 2 entries") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("variants[1].name: 'a' is used") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("variants[1].training") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("variants[2].epochs: unknown field") }, "\(found)")
    }

    /// The study's losses with every hyper-parameter settable; settings a loss does not take are refused.
    func testMetricLossSettingsAreReadAndChecked() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let e = try ExperimentFile.load(path: root.appendingPathComponent("experiments/losses.yaml").path)
        XCTAssertEqual(e.variants.map(\.training.loss), [.crossEntropy, .proxyAnchor, .arcface, .cosface])
        XCTAssertEqual(Set(e.variants.map(\.training.epochs)), [25], "same training for every variant")
        XCTAssertEqual(e.variants[1].training.classVectorLRMultiplier, 100)
        XCTAssertEqual(e.variants[2].training.marginUnit, .degrees)
        XCTAssertEqual(e.variants[0].training.noiseSNR, SNRLevel.defaultLevels)
        XCTAssertEqual(e.dataset.kind, .synthetic)
        let custom = try ExperimentFile.parse("""
            name: m
            dataset: synthetic
            training: {noise_snr_db: [inf, 10], noise_seed: 4}
            variants:
              - {name: arc, training: {loss: arcface, margin: 0.5, margin_unit: radians, scale: 30, embedding_size: 16, class_vector_lr_multiplier: 10}}
              - {name: pa, training: {loss: proxy-anchor, alpha: 16, label_noise: 0.2}}
            """, file: "m.yaml")
        let arc = custom.variants[0].training
        XCTAssertEqual((arc.metricLoss as? ArcFaceLoss)?.margin, .radians(0.5))
        XCTAssertEqual(arc.embeddingSize, 16)
        XCTAssertEqual(arc.noiseSNR, [SNRLevel(.infinity), SNRLevel(10)])
        XCTAssertEqual(custom.variants[1].training.labelNoise, 0.2)
        XCTAssertEqual(custom.variants[1].training.noiseSeed, 4)
        let found = problems("""
            name: v
            dataset: synthetic
            variants:
              - {name: a, training: {loss: cross-entropy, margin: 0.2}}
              - {name: b, training: {loss: cosface, alpha: 3, label_noise: 2}}
              - {name: c, training: {loss: arcface, noise_snr_db: [loud]}}
            """)
        XCTAssertTrue(found.contains { $0.hasPrefix("variants[0].training.margin: does not apply to loss 'cross-entropy'") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("variants[1].training.alpha: does not apply") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("variants[1].training.label_noise") }, "\(found)")
        XCTAssertTrue(found.contains { $0.hasPrefix("variants[2].training") && $0.contains("inf") }, "\(found)")
    }

    func testSyntaxErrorsAndMissingFilesAreReported() {
        XCTAssertTrue(problems("name: [unclosed\n").contains { $0.hasPrefix("(syntax)") })
        XCTAssertTrue(problems("- a list\n").contains { $0.hasPrefix("(top level)") })
        XCTAssertThrowsError(try ExperimentFile.load(path: "/no/such/experiment.yaml")) { error in
            XCTAssertTrue("\(error)".contains("/no/such/experiment.yaml"))
        }
        // Saved in a legacy encoding (Latin-1 'é'): said as such, not as a missing file.
        let latin1 = NSTemporaryDirectory() + "loso-latin1-\(getpid()).yaml"
        try? (Data("name: t\ndescription: caf".utf8) + Data([0xE9, 0x0A])).write(to: URL(fileURLWithPath: latin1))
        defer { try? FileManager.default.removeItem(atPath: latin1) }
        XCTAssertThrowsError(try ExperimentFile.load(path: latin1)) { error in
            XCTAssertEqual("\(error)", "\(latin1): invalid experiment (1 problem):\n  (file): is not UTF-8 text (save it as UTF-8)")
        }
    }

    func testShippedExperimentsAreValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let demo = try ExperimentFile.load(path: root.appendingPathComponent("experiments/demo.yaml").path)
        XCTAssertGreaterThanOrEqual(demo.seeds.count, 2)
        XCTAssertGreaterThanOrEqual(demo.variants.count, 2)
        XCTAssertEqual(demo.dataset.kind, .synthetic)
        // The composite configurations name the repository's data/composite, relative to the file;
        // it may not exist here: then the dataset is the only problem, and `--data` fixes it.
        let shipped = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("experiments").path)
            .filter { $0.hasSuffix(".yaml") }
        XCTAssertGreaterThanOrEqual(shipped.count, 6)
        let dataFolder = try temporaryDirectory(self)
        // Fine-tuning examples start from what another shipped experiment keeps (runs/NAME/checkpoints,
        // NAME.yaml with keep: checkpoints); in a fresh clone that run has not happened yet.
        func startsFromAnotherRun(_ problem: ExperimentFileError.Problem) -> Bool {
            guard problem.field.hasSuffix("init_from"), problem.message.contains("does not exist"),
                  let range = problem.message.range(of: "'../runs/"),
                  let name = problem.message[range.upperBound...].split(separator: "/").first else { return false }
            let producer = root.appendingPathComponent("experiments/\(name).yaml").path
            return (try? ExperimentFile.load(path: producer))?.keepsCheckpoints == true
        }
        for name in shipped {
            let path = root.appendingPathComponent("experiments/\(name)").path
            var startsElsewhere = false
            do { _ = try ExperimentFile.load(path: path) } catch let error as ExperimentFileError {
                let rest = error.problems.filter { !startsFromAnotherRun($0) }
                startsElsewhere = rest.count < error.problems.count
                if !rest.isEmpty {
                    XCTAssertEqual(rest.map(\.field), ["dataset"], "\(error)")
                    XCTAssertTrue("\(error)".contains(root.appendingPathComponent("data/composite").standardizedFileURL.path), "\(error)")
                }
            }
            guard !startsElsewhere else { continue }
            let overridden = try ExperimentFile.load(path: path, dataOverride: dataFolder)
            XCTAssertEqual(overridden.dataset, DatasetSpec(kind: .composite, path: dataFolder), name)
        }
    }

    func testDatasetPathsResolveAgainstTheFileAndOverridesAgainstTheCurrentDirectory() throws {
        let top = try temporaryDirectory(self)
        let fm = FileManager.default
        try fm.createDirectory(atPath: top + "/exp/data/set", withIntermediateDirectories: true)
        try fm.createDirectory(atPath: top + "/elsewhere", withIntermediateDirectories: true)
        try "name: rel\ndataset: data/set\n".write(toFile: top + "/exp/rel.yaml", atomically: true, encoding: .utf8)
        // Started from another folder, the file's relative path still means exp/data/set.
        let e = try ExperimentFile.load(path: "../exp/rel.yaml", currentDirectory: top + "/elsewhere")
        XCTAssertEqual(e.dataset.path, top + "/exp/data/set")
        // --data is relative to the current directory.
        let o = try ExperimentFile.load(path: "../exp/rel.yaml", dataOverride: "../exp/data", currentDirectory: top + "/elsewhere")
        XCTAssertEqual(o.dataset.path, top + "/exp/data")
        let s = try ExperimentFile.load(path: top + "/exp/rel.yaml", dataOverride: "synthetic")
        XCTAssertEqual(s.dataset.kind, .synthetic)
        XCTAssertThrowsError(try ExperimentFile.load(path: top + "/exp/rel.yaml", dataOverride: top + "/nope")) { error in
            XCTAssertEqual((error as? ExperimentFileError)?.problems.map(\.field), ["--data"])
        }
    }

    /// The report's "Losses and prediction rules" line says what each variant minimises: DDAMFN's
    /// attention term with its weight (the reference's 0.1 when absent), and label noise.
    func testEachVariantsPredictionRuleNamesWhatItMinimises() throws {
        let e = try ExperimentFile.parse("""
            name: rules
            dataset: {source: synthetic-fer, seed: 1, subjects: 3, samples: 7}
            protocol: {kfold: 3}
            classes: [anger, disgust, fear, happiness, sadness, surprise, neutral]
            variants:
              - {name: ddamfn, model: {arch: ddamfn, conv4_blocks: 0}, training: {label_noise: 0.2}}
              - {name: weighted, model: {arch: ddamfn, conv4_blocks: 0}, training: {attention_weight: 0.5}}
              - {name: htnet, training: {loss: weighted-cross-entropy}}
            """, file: "rules.yaml")
        XCTAssertEqual(e.variants.map(\.predictionRule), [
            "DDAMFN: cross-entropy + 0.1 x the attention heads' diversity loss; prediction = arg-max of the logits; trained with 20% of each fold's labels flipped (seeded)",
            "DDAMFN: cross-entropy + 0.5 x the attention heads' diversity loss; prediction = arg-max of the logits",
            "weighted cross-entropy (inverse class frequency); prediction = arg-max of the logits",
        ])
    }
}
