import ArgumentParser
import Foundation
import HTNet

struct ParityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "parity",
        abstract: "Check the engine against a reference HTNet fixture (logits, loss, gradients, 3 Adam steps).",
        discussion: "Exits non-zero when any error exceeds the fixture's tolerance.")

    @Argument(help: "Reference fixtures (safetensors with config, param.*, input, labels, logits, loss, grad.*, adam3.*).")
    var fixtures: [String]

    func run() throws {
        var failed = false
        for path in fixtures {
            let report = try ParityCheck.run(fixturePath: path)
            let c = report.config
            print("\(path)")
            print("  config: dim \(c.dim), heads \(c.heads), hierarchies \(c.numHierarchies), repeats \(c.blockRepeats), seq_len \(c.seqLen)")
            for m in report.measurements {
                let verdict = m.passed ? "ok  " : "FAIL"
                print(String(format: "  %@ %-26@ error %.3e  tolerance %.3e", verdict, m.name, m.error, m.tolerance))
            }
            print("  largest gradient error in: \(report.worstGradient)")
            failed = failed || !report.passed
        }
        if failed { throw ExitCode.failure }
    }
}
