import ArgumentParser
import CommandLineConventions
import Dataset
import Foundation
import Preprocessing

/// `coordinator synth-faces --out DIR`: write the synthetic graded-asymmetry face set (grades
/// I...VI, faces.csv + images/), then load it back through the face loader as a check.
struct SynthFacesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth-faces",
        abstract: "Generate a deterministic synthetic facial-palsy grading set (6 grades, aligned 28x28 faces, no download).")

    @OptionGroup var output: SynthOutputOptions
    @Option(help: "Subjects (one grade and one affected side each).")
    var subjects: Int = 36
    @Option(help: "Images per subject.")
    var images: Int = 8

    func validate() throws {
        try NumericFlag.atLeast(subjects, 2, flag: "--subjects")
        try NumericFlag.atLeast(images, 1, flag: "--images")
    }

    func run() throws {
        try SyntheticGradedFaces.generate(into: output.out, seed: output.seed,
                                          configuration: .init(subjects: subjects, imagesPerSubject: images))
        let data = try FaceImageLoader(directory: output.out, options: LoadOptions(classNames: SyntheticGradedFaces.gradeNames)).load()
        print("wrote \(output.out) (seed \(output.seed))")
        print(DatasetSummary(data).text, terminator: "")
    }
}
