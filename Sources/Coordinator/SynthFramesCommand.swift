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
        dlib finds no face in the drawn face; for landmarks and D-Markers (preprocess --dmarkers)
        warp real face images instead: --faces FOLDER (one image per subject, in name order, cycled;
        e.g. the composite's apex crops).
        """)

    @Option(help: "Output folder (must not exist or be empty).") var out: String
    @Option(help: "Seed: the same seed gives the same frames.") var seed: UInt64 = 1
    @Option(help: "Subjects.") var subjects = 4
    @Option(help: "Clips per subject.") var samples = 6
    @Option(help: "Frames per clip.") var frames = 12
    @Option(help: "Peak displacement at the apex, pixels.") var amplitude = 3.0
    @Option(help: "Folder of face images to warp instead of the drawn face (one per subject, name order, cycled).")
    var faces: String?
    @Option(help: "Face image side in pixels.") var side = 224

    func validate() throws {
        try NumericFlag.atLeast(subjects, 1, flag: "--subjects")
        try NumericFlag.atLeast(samples, 1, flag: "--samples")
        try NumericFlag.atLeast(frames, 5, flag: "--frames")
        try NumericFlag.above(amplitude, 0, flag: "--amplitude")
        try NumericFlag.atLeast(side, 32, flag: "--side")
    }

    func run() throws {
        var c = SyntheticSequences.Configuration()
        c.subjects = subjects
        c.samplesPerSubject = samples
        c.frames = frames
        c.amplitude = amplitude
        c.side = side
        if let faces {
            try OpenCVLibrary.require(for: "reading --faces", file: faces)
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: faces)) ?? []).sorted()
                .filter { ["png", "jpg", "jpeg", "bmp"].contains(($0 as NSString).pathExtension.lowercased()) }
            guard !names.isEmpty else { throw ValidationError("--faces \(faces): no png/jpg/bmp images there") }
            c.faces = try names.prefix(subjects).map { name in
                guard let image = GrayImage.read(path: faces + "/" + name) else {
                    throw ValidationError("--faces: OpenCV cannot read \(faces)/\(name)")
                }
                return image
            }
        }
        let clips = try SyntheticSequences.generate(into: out, seed: seed, configuration: c)
        print("wrote \(clips.count) clips of \(frames) frames to \(out)/frames, sheet \(out)/annotations.csv, truth \(out)/truth.csv")
    }
}
