import ArgumentParser
import CommandLineConventions
import Dataset
import Foundation
import Preprocessing

/// `coordinator preprocess`: raw frame folders + an annotation sheet -> the composite layout the
/// loader reads (flow PNGs, landmarks CSV, annotation CSV), plus the class map used and a report.
struct PreprocessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preprocess",
        abstract: "Turn raw micro-expression frame folders into the composite layout (flow, strain, landmarks).",
        discussion: """
        Per sample: face on the onset frame (OpenCV cascade), apex from the sheet or spotted (ROI
        histogram differences), optical flow onset -> apex on the face crops, optical strain, 28x28
        flow image, five landmarks on the apex crop (dlib, mapped to the reference's MTCNN convention
        unless --landmarks dlib-raw). With --dmarkers, also dlib's 68 points on every frame (or every
        --dmarker-stride-th) from the onset to the offset, frames without a face interpolated, and the
        clip's 75 D-Markers (duration, amplitude, speed, acceleration per phase and region, left/right
        ratios) written to DIR/features.csv for dataset.features. Re-running skips samples already
        written with the same parameters. Writes DIR/combined_3_class2_for_optical_flow.csv,
        landmarks_mtcnn_28.csv, flow/, apex/, class_map.csv, preprocess_report.csv.

        Example:
          coordinator synth-frames --out /tmp/raw
          coordinator preprocess --frames /tmp/raw/frames --annotations /tmp/raw/annotations.csv --out /tmp/pre
          coordinator train-fold --data /tmp/pre --test-subject s01 --dim 8 --epochs 2
        """)

    @Option(help: "Frames root: sample folders are <root>/<dataset>/<sub>/<sample> or <root>/<sub>/<sample> (see --sample-folder).")
    var frames: String
    @Option(help: "Annotation sheet (CSV): subject, sample, onset, apex (optional), offset (optional), emotion, dataset.")
    var annotations: String
    @Option(help: "Output folder (the composite layout).")
    var out: String
    @Option(help: "Parallel samples (default: all cores).")
    var workers: Int = ProcessInfo.processInfo.activeProcessorCount
    @Option(help: "Optical flow: farneback or tvl1.")
    var flow: FlowParameters.Method = .farneback
    @Option(help: "Farneback pyramid scale.") var pyrScale = 0.5
    @Option(help: "Farneback pyramid levels.") var levels = 3
    @Option(help: "Farneback window size.") var winsize = 15
    @Option(help: "Farneback iterations per level.") var iterations = 3
    @Option(help: "Farneback polynomial neighbourhood (5 or 7).") var polyN = 5
    @Option(help: "Farneback polynomial sigma.") var polySigma = 1.2
    @Option(help: "Face crops are resized to this square before flow.") var faceSize = 224
    @Option(help: "Emotion -> class map (CSV emotion,class; class 'excluded' drops the word). Default: the 3-class composite's.")
    var classMap: String?
    @Option(help: "Frame naming, all datasets ('numbered' or a template such as img{n}.jpg) or one dataset (casme2=img{n}.jpg). Repeatable.")
    var framePattern: [String] = []
    @Option(help: "Sample folder template(s) relative to --frames, tried in order, e.g. sub{sub:2}/{sample}. Repeatable.")
    var sampleFolder: [String] = []
    @Option(help: "Dataset name for sheets without a dataset column.")
    var dataset: String?
    @Flag(help: "A sample whose onset frame shows no face is an error (default: use the centred square, reported).")
    var requireFace = false
    @Flag(help: "Exit successfully even when some rows failed (they are listed in the report).")
    var skipInvalid = false
    @Option(help: "Face cascade XML.") var faceCascade = CascadeFaceDetector.defaultPath
    @Option(help: "dlib 68-point shape predictor.") var landmarkModel = FaceLandmarkDetector.defaultModelPath
    @Option(name: .customLong("landmarks"),
            help: "Landmark convention: mtcnn (dlib's points calibrated to where the reference's MTCNN puts them) or dlib-raw.")
    var landmarkConvention: LandmarkConvention = .mtcnn
    @Flag(help: "Also track dlib's 68 points from onset to offset and write the clips' D-Markers to OUT/features.csv.")
    var dmarkers = false
    @Option(help: "D-Markers: track every N-th frame from the onset (speeds use fps / N).")
    var dmarkerStride = 1
    @Option(help: "D-Markers: frame rate, all datasets (200) or one dataset (casme2=200). Repeatable. Default per dataset: CASME II and SAMM 200, SMIC 100, SMIC-VIS/NIR 25, CASME 60, MMEW 90, CAS(ME)^3 30, others 30.")
    var fps: [String] = []

    func validate() throws {
        try NumericFlag.atLeast(workers, 1, flag: "--workers")
        try NumericFlag.between(pyrScale, 0, 1, flag: "--pyr-scale")
        try NumericFlag.atLeast(levels, 1, flag: "--levels")
        try NumericFlag.atLeast(winsize, 1, flag: "--winsize")
        try NumericFlag.atLeast(iterations, 1, flag: "--iterations")
        try NumericFlag.oneOf(polyN, [5, 7], flag: "--poly-n")
        try NumericFlag.above(polySigma, 0, flag: "--poly-sigma")
        try NumericFlag.atLeast(faceSize, 8, flag: "--face-size")
        try NumericFlag.atLeast(dmarkerStride, 1, flag: "--dmarker-stride")
        if !dmarkers && (dmarkerStride != 1 || !fps.isEmpty) {
            throw ValidationError("--dmarker-stride and --fps are D-Marker options: add --dmarkers")
        }
        _ = try dmarkerParameters()
    }

    func run() throws {
        var p = PreprocessParameters()
        p.flow.method = flow
        p.flow.pyrScale = pyrScale
        p.flow.levels = levels
        p.flow.winsize = winsize
        p.flow.iterations = iterations
        p.flow.polyN = polyN
        p.flow.polySigma = polySigma
        p.faceSize = faceSize
        p.requireFace = requireFace
        p.faceCascade = faceCascade
        p.landmarkModel = landmarkModel
        p.landmarkConvention = landmarkConvention
        for pattern in framePattern {
            if let eq = pattern.firstIndex(of: "="), !pattern[..<eq].contains("{") {
                p.frameNaming[String(pattern[..<eq])] = String(pattern[pattern.index(after: eq)...])
            } else {
                p.frameNamingForAll = pattern
            }
        }
        if !sampleFolder.isEmpty { p.sampleFolders = sampleFolder }
        p.dmarkers = try dmarkerParameters()
        let map = try classMap.map { try EmotionClassMap.read(path: $0) } ?? .standard

        print("preprocess: \(p.flow.summary), face crops \(faceSize)x\(faceSize), \(workers) workers, landmarks \(landmarkConvention.rawValue)")
        let run = PreprocessRun(framesRoot: frames, annotationPath: annotations, outDirectory: out, parameters: p,
                                classMap: map, defaultDataset: dataset, workers: workers,
                                progress: { line in FileHandle.standardError.write(Data((line + "\n").utf8)) })
        let summary = try run.run()
        print("done: \(summary.records.count) samples (\(summary.reused) already done), \(summary.excluded.count) excluded, \(summary.failures.count) failed")
        print("apex spotted for \(summary.spottedApexes); face fallback for \(summary.faceFallbacks); landmark fallback for \(summary.landmarkFallbacks)")
        for x in summary.excluded.prefix(20) { print("excluded: \(x.subject)/\(x.sample) (emotion '\(x.emotion)')") }
        if summary.featuresPath != nil {
            print("D-Markers for \(summary.dmarkerSamples) samples (\(summary.dmarkerInterpolatedFrames) frames without a face interpolated), none for \(summary.dmarkerMissing.count)")
            for r in summary.dmarkerMissing.prefix(20) { print("no D-Markers: \(r.entry.subject)/\(r.entry.sample): \(r.dmarkerTracking!.missingReason!)") }
        }
        for f in summary.failures.prefix(20) { print("error: \(f)") }
        print("report: \(summary.reportPath)")
        if let features = summary.featuresPath { print("features: \(features)") }
        if !summary.failures.isEmpty && !skipInvalid {
            throw ExitCode(1)
        }
    }
}

extension PreprocessCommand {
    /// --dmarkers, --dmarker-stride and --fps (NAME=FPS for one dataset, FPS for all) as parameters.
    func dmarkerParameters() throws -> DMarkerParameters? {
        guard dmarkers else { return nil }
        var d = DMarkerParameters()
        d.stride = dmarkerStride
        for text in fps {
            let parts = text.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let rate = Double(parts.last!), rate > 0, rate.isFinite, parts.count <= 2, !(parts.count == 2 && parts[0].isEmpty) else {
                throw ValidationError("--fps '\(text)': give a positive frame rate (200) or DATASET=RATE (casme2=200)")
            }
            if parts.count == 2 { d.fps[parts[0]] = rate } else { d.fpsForAll = rate }
        }
        return d
    }
}

extension FlowParameters.Method: ExpressibleByArgument {}
extension LandmarkConvention: ExpressibleByArgument {}
