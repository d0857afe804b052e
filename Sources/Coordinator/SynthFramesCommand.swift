import ArgumentParser
import CommandLineConventions
import Dataset
import Foundation
import Preprocessing

/// `coordinator synth-frames --out DIR`: synthetic raw clips with known motion, for trying
/// `coordinator preprocess` end to end without licensed data.
struct SynthFramesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth-frames",
        abstract: "Generate synthetic raw frame sequences (a drawn face warped by a known expression motion).",
        discussion: """
        Writes DIR/frames/<sub>/<sample>/img<N>.png, DIR/annotations.csv (every second clip without
        its apex, to exercise spotting) and DIR/truth.csv (true apex frames). Then:
          coordinator preprocess --frames DIR/frames --annotations DIR/annotations.csv --out OUT
        """)

    @Option(help: "Output folder (must not exist or be empty).") var out: String
    @Option(help: "Seed: the same seed gives the same frames.") var seed: UInt64 = 1
    @Option(help: "Subjects.") var subjects = 4
    @Option(help: "Clips per subject.") var samples = 6
    @Option(help: "Frames per clip.") var frames = 12
    @Option(help: "Peak displacement at the apex, pixels.") var amplitude = 3.0

    func validate() throws {
        try NumericFlag.atLeast(subjects, 1, flag: "--subjects")
        try NumericFlag.atLeast(samples, 1, flag: "--samples")
        try NumericFlag.atLeast(frames, 5, flag: "--frames")
        try NumericFlag.above(amplitude, 0, flag: "--amplitude")
    }

    func run() throws {
        var c = SyntheticSequences.Configuration()
        c.subjects = subjects
        c.samplesPerSubject = samples
        c.frames = frames
        c.amplitude = amplitude
        let clips = try SyntheticSequences.generate(into: out, seed: seed, configuration: c)
        print("wrote \(clips.count) clips of \(frames) frames to \(out)/frames, sheet \(out)/annotations.csv, truth \(out)/truth.csv")
    }
}
