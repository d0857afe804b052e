import ArgumentParser
import CUDABackend
import DDAMFN
import Foundation
import HTNet
import Tensor

struct ParityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parity",
        abstract: "Check the engines against reference fixtures (Tests/Fixtures/README.md): HTNet, the losses, DDAMFN.",
        discussion: """
        The kind of each fixture is read from its contents:
        - one step (htnet-parity-*): logits, loss, gradients, 3 Adam steps;
        - DDAMFN (ddamfn-parity, header config with conv4_blocks): train/eval logits, stage activations,
          loss parts, every gradient, BN buffers, 3 Adam and 3 SGD steps, unused parameters untouched;
        - initial weights (htnet-torch-init*, header `models`): init_rng torch must give every tensor of
          every model bit for bit;
        - a training trajectory (htnet-trajectory): from its initial weights, train its fold in each of
          its orders (csv, grouped = class-grouped) and compare per-epoch loss, per-epoch test logits,
          predictions and final weights. --train-order trains every order in one given order instead,
          to see a wrong order fail;
        - losses (losses-small, header `meta`): Proxy Anchor, ArcFace, CosFace and weighted cross-entropy,
          loss and both gradients, in float64 (relative error <= 1e-6) and float32 (<= 1e-4).
        Exits non-zero when any check fails.
        """)

    @Argument(help: "Reference fixtures (safetensors), of any kind, in any order.")
    var fixtures: [String] = []

    @Option(help: "cpu, or cuda / cuda:N: without fixtures, the GPU kernels and cuBLAS against the CPU engine; with training-trajectory fixtures, the fold trained on the GPU.")
    var device = "cpu"

    func validate() throws {
        let d: ComputeDevice
        do { d = try ComputeDevice(parsing: device) } catch { throw ValidationError("--device: \(error)") }
        if d == .cpu && fixtures.isEmpty { throw ValidationError("give at least one fixture (Tests/Fixtures/*.safetensors)") }
    }

    @Option(help: "Trajectory fixtures only: train in this order (csv, class-grouped, shuffle) whatever the reference order.")
    var trainOrder: TrainingOrder?

    func run() throws {
        var gpu: CUDADevice?
        if case let .cuda(ordinal) = try ComputeDevice(parsing: device) {
            do { gpu = try CUDADevice(ordinal: ordinal) } catch { throw DeviceUnavailable(device: device, reason: error) }
            if fixtures.isEmpty { return try checkCUDA(gpu!) }
        }
        var failed = false
        for path in fixtures {
            let file = try SafeTensorsFile.read(path: path)
            print("\(path)")
            if DDAMFNParityCheck.isFixture(metadata: file.metadata) {
                failed = try !checkDDAMFN(path) || failed
            } else if LossParityCheck.isLossFixture(file) {
                failed = try !checkLosses(file, path: path) || failed
            } else if InitialWeightParity.isInitialWeightFixture(file) {
                failed = !checkInitialWeights(file, path: path) || failed
            } else if TrajectoryParity.isTrajectoryFixture(file) {
                failed = try !checkTrajectory(file, path: path, gpu: gpu) || failed
            } else if gpu != nil {
                print("  not checked on --device \(device): the GPU runs training-trajectory fixtures only (htnet-trajectory*); this one stays on the CPU engine")
                failed = true
            } else {
                failed = try !checkOneStep(path) || failed
            }
        }
        if failed { throw ExitCode.failure }
    }

    func checkDDAMFN(_ path: String) throws -> Bool {
        let report = try DDAMFNParityCheck.run(fixturePath: path)
        let c = report.config
        print("  DDAMFN: \(c.heads) heads, \(c.classes) classes, \(c.conv4Blocks) blocks at 14x14, batch \(report.batch)")
        for m in report.measurements {
            print(String(format: "  %@ %-42@ error %.3e  tolerance %.3e", m.passed ? "ok  " : "FAIL", m.name, m.error, m.tolerance))
        }
        print("  largest relative gradient error in: \(report.worstGradient)")
        return report.passed
    }

    func checkOneStep(_ path: String) throws -> Bool {
        let report = try ParityCheck.run(fixturePath: path)
        let c = report.config
        print("  config: dim \(c.dim), heads \(c.heads), hierarchies \(c.numHierarchies), repeats \(c.blockRepeats), seq_len \(c.seqLen)")
        for m in report.measurements {
            let verdict = m.passed ? "ok  " : "FAIL"
            print(String(format: "  %@ %-26@ error %.3e  tolerance %.3e", verdict, m.name, m.error, m.tolerance))
        }
        print("  largest gradient error in: \(report.worstGradient)")
        return report.passed
    }

    /// Relative errors: |mine - ref| / |ref| for a loss, max abs error / max |ref| for a gradient tensor.
    func checkLosses(_ file: SafeTensorsFile, path: String) throws -> Bool {
        print("  losses: Proxy Anchor, ArcFace, CosFace (pytorch-metric-learning 2.9.0 definitions), weighted cross-entropy")
        let measurements = try LossParityCheck.run(file, source: path)
        for m in measurements {
            let verdict = m.passed ? "ok  " : "FAIL"
            print(String(format: "  %@ %-34@ error %.3e  tolerance %.3e", verdict, m.name, m.error, m.tolerance))
        }
        return measurements.allSatisfy(\.passed)
    }

    func checkInitialWeights(_ file: SafeTensorsFile, path: String) -> Bool {
        let results: [InitialWeightParity.ModelResult]
        do { results = try InitialWeightParity.run(file: file, source: path) } catch {
            print("  FAIL \(error)")
            return false
        }
        print("  initial weights, init_rng torch (torch.manual_seed(seed); HTNet(...)), tolerance: none")
        for r in results {
            let c = r.config
            let shape = "dim \(c.dim), heads \(c.heads), hierarchies \(c.numHierarchies), repeats \(c.blockRepeats), seq_len \(c.seqLen), seed \(r.seed)"
            if r.passed {
                print("  ok   \(r.tag): \(shape): all \(r.tensors) tensors bit-identical")
            } else {
                print("  FAIL \(r.tag): \(shape): \(r.mismatched.count) of \(r.tensors) tensors differ (\(r.differingValues) values): "
                      + r.mismatched.prefix(5).joined(separator: ", "))
            }
        }
        return results.allSatisfy(\.passed)
    }

    /// With `gpu`, the fold trains on it as a fold batch of one (CUDAFoldBatchTrainer), fp32.
    func checkTrajectory(_ file: SafeTensorsFile, path: String, gpu: CUDADevice? = nil) throws -> Bool {
        var passed = true
        let runner: TrajectoryParity.FoldRunner? = gpu.map { device in
            { trainer, fold in
                let r = try CUDAFoldBatchTrainer(members: [.init(trainer: trainer, data: fold)], device: device).run()
                return (try r.outcomes[0].get(), r.weights[0])
            }
        }
        for (reference, matching) in TrajectoryParity.orders where file.tensors["\(reference).train_loss"] != nil {
            let order = trainOrder ?? matching
            let report = try TrajectoryParity.run(fixturePath: path, referenceOrder: reference, engineOrder: order, file: file, runner: runner)
            print("  reference order \(reference), trained \(order.rawValue) on \(gpu?.description ?? "the CPU"), \(report.epochs) epochs:")
            for m in report.measurements {
                if m.tolerance.isInfinite {
                    print(String(format: "       %-52@ %.3e", m.name, m.error))
                    continue
                }
                let verdict = m.passed ? "ok  " : "FAIL"
                print(String(format: "  %@ %-52@ %.3e  %@ %.3e", verdict, m.name, m.error, m.atLeast ? "at least" : "bound", m.tolerance))
            }
            passed = passed && report.passed
        }
        return passed
    }

    /// The device's kernels and cuBLAS against the CPU engine (CUDAKernelCheck).
    func checkCUDA(_ d: CUDADevice) throws {
        print("device: \(d.description)")
        var failed = false
        for m in try CUDAKernelCheck().run(on: d) {
            print(String(format: "  %@ %-48@ error %.3e  tolerance %.3e", m.passed ? "ok  " : "FAIL", m.name, m.error, m.tolerance))
            failed = failed || !m.passed
        }
        if failed { throw ExitCode.failure }
    }
}
