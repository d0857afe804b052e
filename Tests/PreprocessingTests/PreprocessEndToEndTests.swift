import Dataset
import Preprocessing
import Foundation
import TestSupport
import XCTest

/// synth-frames -> preprocess -> loader, resuming, and the errors and fallbacks of bad input.
final class PreprocessEndToEndTests: XCTestCase {
    /// Small clips so the whole pipeline runs in a second or two.
    func makeClips(_ directory: String, subjects: Int = 2, samples: Int = 3) throws -> [SyntheticSequences.Clip] {
        var c = SyntheticSequences.Configuration()
        c.subjects = subjects
        c.samplesPerSubject = samples
        c.frames = 8
        c.side = 96
        return try SyntheticSequences.generate(into: directory + "/raw", seed: 5, configuration: c)
    }

    func run(_ directory: String, parameters: PreprocessParameters = PreprocessParameters(),
             annotations: String? = nil) throws -> PreprocessRun.Summary {
        var p = parameters
        p.faceSize = 96
        var run = PreprocessRun(framesRoot: directory + "/raw/frames",
                                annotationPath: annotations ?? directory + "/raw/annotations.csv",
                                outDirectory: directory + "/out", parameters: p, workers: 2)
        run.landmarkDetector = try SharedDetectors.landmarks()
        return try run.run()
    }

    func testPreprocessedClipsLoadAndResumeSkipsDoneSamples() throws {
        let dir = try temporaryDirectory(self)
        let clips = try makeClips(dir)
        let first = try run(dir)
        XCTAssertEqual(first.failures, [])
        XCTAssertEqual(first.records.count, clips.count)
        XCTAssertEqual(first.reused, 0)
        XCTAssertEqual(first.spottedApexes, clips.count / 2)
        for record in first.records where record.apexSpotted {
            let truth = clips.first { $0.subject == record.entry.subject && $0.sample == record.entry.sample }!
            XCTAssertEqual(record.apexFrame, truth.apex, "spotted apex of \(truth.subject)/\(truth.sample)")
        }

        let data = try CompositeLoader(directory: dir + "/out").load()
        XCTAssertEqual(data.samples.count, clips.count)
        XCTAssertEqual(data.samples.map(\.label), clips.map(\.label))
        XCTAssertEqual(Set(data.samples.map(\.subject)), ["s01", "s02"])
        let report = try String(contentsOfFile: first.reportPath, encoding: .utf8)
        XCTAssertTrue(report.contains(",spotted,"), report)

        let flow = dir + "/out/flow/" + first.records[0].entry.id
        let before = try FileManager.default.attributesOfItem(atPath: flow)[.modificationDate] as! Date
        let second = try run(dir)
        XCTAssertEqual(second.reused, clips.count, "a re-run with the same parameters skips every sample")
        XCTAssertEqual(second.records, first.records)
        XCTAssertEqual(try FileManager.default.attributesOfItem(atPath: flow)[.modificationDate] as? Date, before)

        var changed = PreprocessParameters()
        changed.flow.winsize = 11
        XCTAssertEqual(try run(dir, parameters: changed).reused, 0, "new parameters recompute every sample")
        var raw = PreprocessParameters()
        raw.landmarkConvention = .dlibRaw
        XCTAssertNotEqual(raw.hash, PreprocessParameters().hash, "the landmark convention is a parameter: resume recomputes")
    }

    func testClassMapIsWrittenAndExclusionsReported() throws {
        let dir = try temporaryDirectory(self)
        _ = try makeClips(dir, subjects: 1, samples: 3)
        let sheet = dir + "/raw/annotations.csv"
        var text = try String(contentsOfFile: sheet, encoding: .utf8)
        text = text.replacingOccurrences(of: ",surprise\n", with: ",repression\n")
        try text.write(toFile: sheet, atomically: true, encoding: .utf8)
        let summary = try run(dir)
        XCTAssertEqual(summary.excluded.map(\.emotion), ["repression"])
        XCTAssertEqual(summary.records.count, 2)
        let map = try EmotionClassMap.read(path: dir + "/out/" + EmotionClassMap.fileName)
        XCTAssertEqual(map, .standard)
        XCTAssertEqual(map.lookup("Happiness"), .label(1))
        XCTAssertEqual(map.lookup("others"), .excluded)
    }

    func testMissingFrameUnreadableImageAndOnsetAfterApexAreErrorsNamingTheRow() throws {
        let dir = try temporaryDirectory(self)
        let clips = try makeClips(dir, subjects: 1, samples: 3)
        // Row 2 (clip1): its apex frame is missing. Row 3 (clip2): its onset frame is garbage.
        try FileManager.default.removeItem(atPath: dir + "/raw/frames/s01/clip1/img\(clips[0].apex).png")
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: dir + "/raw/frames/s01/clip2/img\(clips[1].onset).png"))
        // A fourth row whose onset comes after its apex.
        let sheet = dir + "/raw/annotations.csv"
        try (String(contentsOfFile: sheet, encoding: .utf8) + "synth,s01,clip3,9,5,12,happiness\n")
            .write(toFile: sheet, atomically: true, encoding: .utf8)

        let summary = try run(dir)
        XCTAssertEqual(summary.records.map(\.entry.sample), ["clip3"], "the good sample is still written")
        XCTAssertEqual(summary.failures.count, 3)
        let byLine = Dictionary(uniqueKeysWithValues: summary.failures.map { ($0.line!, $0) })
        XCTAssertTrue(byLine[2]!.problem.contains("frame \(clips[0].apex) not found"), byLine[2]!.description)
        XCTAssertTrue(byLine[3]!.problem.contains("OpenCV cannot read frame \(clips[1].onset)"), byLine[3]!.description)
        XCTAssertTrue(byLine[5]!.problem.contains("onset frame 9 is after the apex frame 5"), byLine[5]!.description)
        XCTAssertTrue(summary.failures.allSatisfy { $0.file == sheet })
        let report = try String(contentsOfFile: summary.reportPath, encoding: .utf8)
        XCTAssertEqual(report.components(separatedBy: ",failed,").count - 1, 3)
    }

    func testAbsentFaceFallsBackVisiblyOrFailsWhenRequired() throws {
        let dir = try temporaryDirectory(self)
        let folder = dir + "/raw/frames/s01/blank"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for n in 1...4 {
            // A plain gradient with a moving bright square: motion, but no face.
            var pixels = [UInt8](repeating: 0, count: 64 * 64)
            for r in 0..<64 { for c in 0..<64 { pixels[r * 64 + c] = UInt8(40 + r + c) } }
            for r in 20..<30 { for c in (20 + n)..<(30 + n) { pixels[r * 64 + c] = 230 } }
            try GrayImage(rows: 64, cols: 64, pixels: pixels).colour.write(path: folder + "/img\(n).png")
        }
        let sheet = dir + "/raw/annotations.csv"
        try "dataset,subject,sample,onset,apex,offset,emotion\nsynth,s01,blank,1,4,4,happiness\n"
            .write(toFile: sheet, atomically: true, encoding: .utf8)

        let summary = try run(dir)
        XCTAssertEqual(summary.records.count, 1)
        XCTAssertEqual(summary.faceFallbacks, 1)
        XCTAssertEqual(summary.landmarkFallbacks, 1)
        XCTAssertEqual(summary.records[0].landmarks, .fallback)
        XCTAssertTrue(summary.records[0].faceFallbackReason!.contains("no face found on the onset frame"))
        let report = try String(contentsOfFile: summary.reportPath, encoding: .utf8)
        XCTAssertTrue(report.contains(",fallback,fallback,no face found on the onset frame"), report)

        var strict = PreprocessParameters()
        strict.requireFace = true
        let failed = try run(dir, parameters: strict)
        XCTAssertEqual(failed.records.count, 0)
        XCTAssertEqual(failed.failures.first?.line, 2)
        XCTAssertTrue(failed.failures.first!.problem.contains("no face found on the onset frame"), "\(failed.failures)")
    }

    func testFrameNamingTemplatesAndNumberedFiles() throws {
        XCTAssertEqual(try NameTemplate("{sub:3}_{n:5}.jpg").expand(["sub": "6", "n": "5562"]), "006_05562.jpg")
        XCTAssertEqual(try NameTemplate("img{n}.jpg").expand(["n": "46"]), "img46.jpg")
        XCTAssertThrowsError(try NameTemplate("img{frame}.jpg").expand(["n": "1"]))
        XCTAssertEqual(FrameNaming.defaultFor(dataset: "CASME II").description, "img{n}.jpg")
        XCTAssertEqual(FrameNaming.defaultFor(dataset: "SAMM").description, "{sub:3}_{n:5}.jpg")
        XCTAssertEqual(FrameNaming.defaultFor(dataset: "smic").description, "numbered")
        let dir = try temporaryDirectory(self)
        let blank = GrayImage(rows: 4, cols: 4, pixels: [UInt8](repeating: 9, count: 16)).colour
        for n in [7, 8, 9] { try blank.write(path: dir + "/image00000\(n).bmp") }
        let sequence = try FrameSequence(folder: dir, naming: .numbered, subject: "s1", sample: "x", dataset: "smic")
        XCTAssertEqual(sequence.lastFrame(from: 7), 9)
        XCTAssertNoThrow(try sequence.read(frame: 8))
        XCTAssertThrowsError(try sequence.read(frame: 10))
    }
}
