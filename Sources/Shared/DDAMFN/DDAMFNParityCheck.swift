import Foundation
import Tensor

/// Compares this engine with the reference PyTorch DDAMFN dump (shared/fixtures/ddamfn-parity):
/// train-mode logits, backbone stage activations, features, head maps, the loss and its two parts,
/// every gradient, the buffers after the forward, eval-mode logits and loss, three Adam steps and
/// three SGD steps; unused parameters must not move. Bounds are those of the fixtures' README
/// (10 x the reference's own float32-vs-float64 error for one pass, 5 x for the trajectories).
public struct DDAMFNParityCheck {
    public struct Measurement: Sendable {
        public let name: String
        public let error: Double
        public let tolerance: Double
        public var passed: Bool { error <= tolerance }
    }

    public struct Report: Sendable {
        public let config: DDAMFNConfig
        public let batch: Int
        public let measurements: [Measurement]
        /// The real-gradient tensor with the largest relative L2 error, for diagnosis.
        public let worstGradient: String
        public var passed: Bool { measurements.allSatisfy(\.passed) }
    }

    /// The fixture's header `config`, the fields this check uses.
    struct FixtureConfig: Decodable {
        struct Stage: Decodable { let name: String; let kernels: [Int]?; let splits: [Int]?; let expand: Int?; let cout: Int; let blocks: Int? }
        struct Optimizer: Decodable { let lr: Float; let momentum: Float?; let weight_decay: Float? }
        struct Loss: Decodable { let att_weight: Float }
        let num_classes: Int, num_heads: Int, batch: Int, conv4_blocks: Int
        let stages: [Stage]
        let loss: Loss
        let adam: Optimizer, sgd: Optimizer
        let adam3_params: [String], sgd3_params: [String], unused_params: [String], zero_grad_params: [String]
    }

    /// True when the file's header says it is a DDAMFN fixture (so `coordinator parity` can route it).
    public static func isFixture(metadata: [String: String]) -> Bool {
        guard let text = metadata["config"], let data = text.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return false }
        return (object["model"] as? String)?.hasPrefix("DDAMFN") == true || object["conv4_blocks"] != nil
    }

    public static func run(fixturePath path: String) throws -> Report {
        let file = try SafeTensorsFile.read(path: path)
        func fail(_ why: String) -> DDAMFNStateDict.Failure { DDAMFNStateDict.Failure(path: path, problem: why) }
        guard let text = file.metadata["config"], let data = text.data(using: .utf8) else { throw fail("no `config` entry in the header metadata") }
        let fixture: FixtureConfig
        do { fixture = try JSONDecoder().decode(FixtureConfig.self, from: data) } catch { throw fail("config: \(error)") }
        let config = DDAMFNConfig(classes: fixture.num_classes, heads: fixture.num_heads, conv4Blocks: fixture.conv4_blocks)
        try checkStages(fixture.stages, config: config, fail: fail)
        func tensor(_ name: String) throws -> StoredTensor {
            guard let t = file[name] else { throw fail("missing tensor '\(name)'") }
            return t
        }
        let batch = fixture.batch
        let labels = try tensor("labels").integers
        let input = try tensor("input")
        guard labels.count == batch, input.shape == [batch, 3, DDAMFNConfig.imageSize, DDAMFNConfig.imageSize] else {
            throw fail("input \(input.shape) / labels \(labels.count) do not match batch \(batch) at 3x112x112")
        }
        let images = input.floats
        let model = DDAMFNModel(config: config, maxBatch: batch)
        model.attentionWeight = fixture.loss.att_weight
        func reset() throws {
            try DDAMFNStateDict.loadParameters(file, prefix: "param.", into: model, source: path)
            try DDAMFNStateDict.loadBuffers(file, prefix: "buffer.", into: model, source: path)
        }
        try reset()
        let unused = Set(fixture.unused_params), zeroGrad = Set(fixture.zero_grad_params)
        let tableUnused = Set(model.table.parameters.filter { !$0.used }.map(\.name))
        guard tableUnused == unused else {
            throw fail("unused_params differ from the model's unused parameters: \(unused.symmetricDifference(tableUnused).sorted().prefix(5))")
        }
        var results: [Measurement] = []
        func add(_ name: String, _ error: Double, _ tolerance: Double) { results.append(Measurement(name: name, error: error, tolerance: tolerance)) }
        func forward(training: Bool) -> UnsafePointer<Float> {
            images.withUnsafeBufferPointer { model.forward(images: $0.baseAddress!, batch: batch, training: training) }
        }

        // One train-mode forward and backward.
        let logits = forward(training: true)
        add("logits (max abs)", try maxAbs(logits, tensor("logits")), 5e-5)
        add("features (max abs)", try maxAbs(model.featureMap, tensor("features")), 2e-4)
        let heads = try tensor("head_outputs").floats
        let mapSize = batch * model.featureElements
        var headError = 0.0
        for h in 0..<config.heads {
            let ref = Array(heads[(h * mapSize)..<((h + 1) * mapSize)])
            headError = max(headError, maxAbs(model.headMap(h), ref))
        }
        add("head_outputs (max abs)", headError, 1e-5)
        var stageError = 0.0
        for i in 2...7 {
            let ref = try tensor("act.features.\(i)").floats
            guard let mine = model.stageOutput(i) else { throw fail("the model has no stage features.\(i)") }
            stageError = max(stageError, maxAbs(mine, ref) / max(maxMagnitude(ref), 1e-30))
        }
        add("act.features.2-7 (max abs / max)", stageError, 5e-5)
        let loss = model.loss(labels: labels)
        add("loss (abs)", abs(loss.total - (try tensor("loss").doubles[0])), 2e-5)
        add("loss_ce (abs)", abs(loss.crossEntropy - (try tensor("loss_ce").doubles[0])), 5e-6)
        add("loss_att (abs)", abs(loss.attention - (try tensor("loss_att").doubles[0])), 5e-4)
        model.backward()

        var largest = 0.0, worstMaxAbs = 0.0, worstRelative = 0.0, worst = "", zeroError = 0.0, unusedError = 0.0
        var differenceSquares = 0.0, referenceSquares = 0.0
        var references: [(DDAMFNParameter, [Float])] = []
        for p in model.table.parameters {
            let ref = try tensor("grad." + p.name).floats
            guard ref.count == p.count else { throw fail("grad.\(p.name) has \(ref.count) values, expected \(p.count)") }
            largest = max(largest, maxMagnitude(ref))
            references.append((p, ref))
        }
        for (p, ref) in references {
            let mine = model.gradients.pointer + p.offset
            worstMaxAbs = max(worstMaxAbs, maxAbs(mine, ref))
            if unused.contains(p.name) {
                unusedError = max(unusedError, maxMagnitude(Array(UnsafeBufferPointer(start: mine, count: p.count))))
            } else if zeroGrad.contains(p.name) {
                zeroError = max(zeroError, maxAbs(mine, ref))
            } else {
                var d = 0.0, r = 0.0
                for i in 0..<p.count {
                    let e = Double(mine[i]) - Double(ref[i])
                    d += e * e
                    r += Double(ref[i]) * Double(ref[i])
                }
                differenceSquares += d
                referenceSquares += r
                let relative = (d / max(r, 1e-300)).squareRoot()
                if relative > worstRelative { worstRelative = relative; worst = p.name }
            }
        }
        add("gradients (max abs / largest)", worstMaxAbs / largest, 2e-2)
        add("gradients, worst tensor (rel L2)", worstRelative, 5e-2)
        add("gradients, together (rel L2)", (differenceSquares / referenceSquares).squareRoot(), 1e-2)
        add("zero_grad_params (max abs / largest)", zeroError / largest, 1e-6)
        add("unused gradients (max abs)", unusedError, 0)
        let (bufferError, counterError) = try compareBuffers(model, file, prefix: "buffer_after.", fail: fail)
        add("buffer_after (max abs / max)", bufferError, 1e-5)
        add("num_batches_tracked after (mismatches)", Double(counterError), 0)

        // Eval mode from the initial weights and the statistics after that forward.
        let evalLogits = forward(training: false)
        add("eval_logits (max abs)", try maxAbs(evalLogits, tensor("eval_logits")), 5e-5)
        let evalLoss = model.loss(labels: labels, gradients: false)
        add("eval_loss (abs)", abs(evalLoss.total - (try tensor("eval_loss").doubles[0])), 2e-5)

        // Three Adam steps, then three SGD steps, each from the initial state.
        func trajectory(_ step: () -> Void) -> (losses: [Double], after: Double, buffers: [String: StoredTensor]) {
            var losses: [Double] = []
            for _ in 0..<3 {
                _ = forward(training: true)
                losses.append(model.loss(labels: labels).total)
                model.backward()
                step()
            }
            let buffers = DDAMFNStateDict.tensors(of: model).filter { $0.key.hasPrefix("buffer.") }
            _ = forward(training: true)
            return (losses, model.loss(labels: labels, gradients: false).total, buffers)
        }
        try reset()
        let adam = DDAMFNAdam(table: model.table, learningRate: fixture.adam.lr)
        let adamRun = trajectory { adam.update(parameters: model.parameters, gradients: model.gradients) }
        add("adam3_losses (max abs)", try lossError(adamRun.losses, tensor("adam3_losses")), 2e-3)
        add("adam3_loss_after (abs)", abs(adamRun.after - (try tensor("adam3_loss_after").doubles[0])), 2e-3)
        var adamErrors: [Double] = []
        var adamUnusedMoved = 0.0
        for name in fixture.adam3_params {
            guard let p = model.table.parameter(named: name) else { throw fail("adam3_params names no parameter: \(name)") }
            let ref = try tensor("adam3." + name).floats, initial = try tensor("param." + name).floats
            let mine = model.parameters.pointer + p.offset
            for i in 0..<p.count {
                if unused.contains(name) {
                    adamUnusedMoved = max(adamUnusedMoved, Double(abs(mine[i] - initial[i])) + Double(abs(ref[i] - initial[i])))
                } else {
                    adamErrors.append(Double(abs(mine[i] - ref[i])) / Double(fixture.adam.lr))
                }
            }
        }
        adamErrors.sort()
        add("adam3 weights error / lr (median)", quantile(adamErrors, 0.5), 0.05)
        add("adam3 weights error / lr (99th percentile)", quantile(adamErrors, 0.99), 0.5)
        add("adam3 weights error / lr (max)", adamErrors.last ?? 0, 6)
        add("adam3 unused parameters moved", adamUnusedMoved, 0)
        var adamBufferError = 0.0
        for (name, t) in adamRun.buffers where !name.hasSuffix("num_batches_tracked") {
            let ref = try tensor("adam3_" + name).floats
            adamBufferError = max(adamBufferError, maxAbs(t.floats, ref) / max(maxMagnitude(ref), 1e-30))
        }
        add("adam3_buffer (max abs / max)", adamBufferError, 5e-3)

        try reset()
        let sgd = DDAMFNSGD(table: model.table, learningRate: fixture.sgd.lr, momentum: fixture.sgd.momentum ?? 0.9,
                            weightDecay: fixture.sgd.weight_decay ?? 0)
        let sgdRun = trajectory { sgd.update(parameters: model.parameters, gradients: model.gradients) }
        add("sgd3_losses (max abs)", try lossError(sgdRun.losses, tensor("sgd3_losses")), 5e-2)
        add("sgd3_loss_after (abs)", abs(sgdRun.after - (try tensor("sgd3_loss_after").doubles[0])), 2e-1)
        var sgdMoveError = 0.0, sgdZeroError = 0.0, sgdUnusedMoved = 0.0
        for name in fixture.sgd3_params {
            guard let p = model.table.parameter(named: name) else { throw fail("sgd3_params names no parameter: \(name)") }
            let ref = try tensor("sgd3." + name).floats, initial = try tensor("param." + name).floats
            let mine = model.parameters.pointer + p.offset
            var d = 0.0, r = 0.0
            for i in 0..<p.count {
                if unused.contains(name) {
                    sgdUnusedMoved = max(sgdUnusedMoved, Double(abs(mine[i] - initial[i])) + Double(abs(ref[i] - initial[i])))
                } else if zeroGrad.contains(name) {
                    sgdZeroError = max(sgdZeroError, Double(abs(mine[i] - ref[i])))
                } else {
                    let move = Double(ref[i]) - Double(initial[i])
                    let e = (Double(mine[i]) - Double(initial[i])) - move
                    d += e * e
                    r += move * move
                }
            }
            if !unused.contains(name) && !zeroGrad.contains(name) { sgdMoveError = max(sgdMoveError, (d / max(r, 1e-300)).squareRoot()) }
        }
        add("sgd3 moves, worst tensor (rel L2)", sgdMoveError, 0.2)
        add("sgd3 zero_grad_params (max abs)", sgdZeroError, 5e-8)
        add("sgd3 unused parameters moved", sgdUnusedMoved, 0)
        return Report(config: config, batch: batch, measurements: results, worstGradient: worst)
    }

    /// The fixture's stage table must describe the model this engine builds.
    static func checkStages(_ stages: [FixtureConfig.Stage], config: DDAMFNConfig, fail: (String) -> Error) throws {
        for stage in config.mixStages {
            for (index, expected, blocks) in [(stage.index, stage.first, 1), (stage.index + 1, stage.repeated, stage.repeats)] {
                guard let s = stages.first(where: { $0.name == "features.\(index)" }) else { throw fail("config.stages has no features.\(index)") }
                guard s.kernels == expected.kernels, s.splits == expected.split, s.expand == expected.expansion,
                      s.cout == expected.output, (s.blocks ?? 1) == blocks else {
                    throw fail("config.stages features.\(index) (\(s.kernels ?? []) on \(s.splits ?? []), E \(s.expand ?? 0)) differs from this engine's")
                }
            }
        }
    }

    static func compareBuffers(_ model: DDAMFNModel, _ file: SafeTensorsFile, prefix: String,
                               fail: (String) -> Error) throws -> (Double, Int) {
        var error = 0.0, counters = 0
        for bn in model.table.batchNorms {
            for (suffix, offset) in [("running_mean", bn.offset), ("running_var", bn.offset + bn.channels)] {
                guard let ref = file["\(prefix)\(bn.prefix).\(suffix)"]?.floats else { throw fail("missing tensor '\(prefix)\(bn.prefix).\(suffix)'") }
                error = max(error, maxAbs(model.statistics.pointer + offset, ref) / max(maxMagnitude(ref), 1e-30))
            }
            guard let count = file["\(prefix)\(bn.prefix).num_batches_tracked"]?.integers.first else {
                throw fail("missing tensor '\(prefix)\(bn.prefix).num_batches_tracked'")
            }
            if count != model.batchesTracked[bn.counter] { counters += 1 }
        }
        return (error, counters)
    }

    static func maxAbs(_ mine: UnsafePointer<Float>, _ ref: StoredTensor) -> Double { maxAbs(mine, ref.floats) }

    static func maxAbs(_ mine: UnsafePointer<Float>, _ ref: [Float]) -> Double {
        var e = 0.0
        for i in 0..<ref.count { e = max(e, Double(abs(mine[i] - ref[i]))) }
        return e
    }

    static func maxAbs(_ mine: [Float], _ ref: StoredTensor) -> Double { maxAbs(mine, ref.floats) }

    static func maxAbs(_ mine: [Float], _ ref: [Float]) -> Double { mine.withUnsafeBufferPointer { maxAbs($0.baseAddress!, ref) } }

    static func maxMagnitude(_ values: [Float]) -> Double { Double(values.reduce(0) { max($0, abs($1)) }) }

    static func lossError(_ mine: [Double], _ ref: StoredTensor) -> Double {
        zip(mine, ref.doubles).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }

    /// The q-quantile of sorted values (nearest rank).
    static func quantile(_ sorted: [Double], _ q: Double) -> Double {
        if sorted.isEmpty { return 0 }
        return sorted[min(sorted.count - 1, Int((q * Double(sorted.count - 1)).rounded()))]
    }
}
