import ArgumentParser
import CommandLineConventions
import Wire
import Preprocessing
import Tensor

/// The user-facing CLI; under mpirun, `coordinator run` is rank 0 of the job.
@main
struct CoordinatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Leave-one-subject-out HTNet training for micro-expression recognition.",
        discussion: """
        Main job:  mpirun -np 1 coordinator run EXPERIMENT : -np N worker
        """,
        version: SoftwareVersion.description,
        subcommands: [
            // One file per subcommand in this folder; register it here.
            SynthCommand.self,
            DatasetCommand.self,
            ParityCommand.self,
            TrainFoldCommand.self,
            TrainSeedCommand.self,
            BenchCommand.self,
            RunCommand.self,
            PlanCommand.self,
            ReportCommand.self,
            PredictCommand.self,
            ExplainCommand.self,
            CompareCommand.self,
            PreprocessCommand.self,
            SynthFramesCommand.self,
            SynthFacesCommand.self,
        ]
    )

    static func main() {
        OpenBLASCoreType.reexecIfGeneric()
        mainWithUniformErrors()
    }
}
