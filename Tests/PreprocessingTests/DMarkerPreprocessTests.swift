import Dataset
import Foundation
import TestSupport
import XCTest
@testable import Preprocessing

/// `coordinator preprocess --dmarkers`: landmark tracks with frames filled in, the frame rates, and
/// features.csv from synthetic clips whose motion is known (real face crops warped by a known
/// displacement field; the composite holds apex crops and flow images but no raw frames).
final class DMarkerPreprocessTests: XCTestCase {
    func testTrackFillsFramesWithoutAFaceLinearlyAndHoldsTheEnds() throws {
        func p(_ x: Double) -> [(x: Double, y: Double)] { [(x: x, y: 2 * x)] }
        // Found on frames 11, 14, 15 (3 of 6 = the 50 % needed); 10 held, 12 and 13 at 1/3 and 2/3.
        let track = try LandmarkTrack(frames: [10, 11, 12, 13, 14, 15], found: [nil, p(1), nil, nil, p(4), p(5)])
        XCTAssertEqual(track.points.map { $0[0].x }, [1, 1, 2, 3, 4, 5])
        XCTAssertEqual(track.points.map { $0[0].y }, [2, 2, 4, 6, 8, 10])
        XCTAssertEqual(track.filledCount, 3)
        XCTAssertEqual(track.detected, [false, true, false, false, true, true])
        let ends = try LandmarkTrack(frames: [1, 2, 3, 4], found: [nil, p(2), p(3), nil])
        XCTAssertEqual(ends.points.map { $0[0].x }, [2, 2, 3, 3])
        XCTAssertThrowsError(try LandmarkTrack(frames: [1, 2, 3], found: [p(1), nil, nil])) { error in
            XCTAssertTrue("\(error)".contains("dlib found the face on 1 of 3 tracked frames"), "\(error)")
        }
        XCTAssertThrowsError(try LandmarkTrack(frames: [1, 2, 3, 4, 5], found: [p(1), p(2), nil, nil, nil]), "2 of 5 < 50 %")
    }

    func testTrackedFramesFollowTheStrideAndTheApexIsTheNearest() {
        let every = LandmarkTrack.trackedFrames(onset: 3, apex: 8, offset: 12, stride: 1)
        XCTAssertEqual(every.frames, Array(3...12))
        XCTAssertEqual(every.apexIndex, 5)
        let second = LandmarkTrack.trackedFrames(onset: 3, apex: 8, offset: 12, stride: 2)
        XCTAssertEqual(second.frames, [3, 5, 7, 9, 11])
        XCTAssertEqual(second.apexIndex, 2, "7 and 9 are as near to 8: the earlier")
    }

    func testFrameRatesDefaultPerDatasetAndOptionsOverride() throws {
        XCTAssertEqual(DMarkerParameters.defaultFPS(dataset: "CASME II"), 200)
        XCTAssertEqual(DMarkerParameters.defaultFPS(dataset: "casme2"), 200)
        XCTAssertEqual(DMarkerParameters.defaultFPS(dataset: "SAMM"), 200)
        XCTAssertEqual(DMarkerParameters.defaultFPS(dataset: "smic"), 100)
        XCTAssertEqual(DMarkerParameters.defaultFPS(dataset: "SMIC-VIS"), 25)
        XCTAssertEqual(DMarkerParameters.defaultFPS(dataset: "CASME"), 60)
        XCTAssertEqual(DMarkerParameters.defaultFPS(dataset: "home video"), 30)
        var d = DMarkerParameters()
        d.fpsForAll = 50
        d.fps["smic"] = 120
        XCTAssertEqual(d.fps(forDataset: "casme2"), 50)
        XCTAssertEqual(d.fps(forDataset: "smic"), 120)
        // Without D-Markers the parameters encode as before D-Markers existed (same hash: resume still skips).
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        XCTAssertFalse(String(decoding: try encoder.encode(PreprocessParameters()), as: UTF8.self).contains("dmarkers"))
        var with = PreprocessParameters()
        with.dmarkers = DMarkerParameters()
        XCTAssertNotEqual(with.hash, PreprocessParameters().hash)
    }

    func run(_ directory: String, faceSize: Int, stride: Int = 1) throws -> PreprocessRun.Summary {
        var p = PreprocessParameters()
        p.faceSize = faceSize
        var d = DMarkerParameters()
        d.fps["synth"] = 100
        d.stride = stride
        p.dmarkers = d
        var run = PreprocessRun(framesRoot: directory + "/raw/frames", annotationPath: directory + "/raw/annotations.csv",
                                outDirectory: directory + "/out", parameters: p, workers: 2)
        run.landmarkDetector = try SharedDetectors.landmarks()
        return try run.run()
    }

    /// dlib finds no face in the drawn synthetic face: every clip is reported without D-Markers,
    /// features.csv has the header only, and a fusion experiment on the folder would stop with the
    /// feature file's missing-sample error. A flat frame is no face either.
    func testClipsWithoutAFaceGetNoDMarkersAndTheReportSaysWhy() throws {
        let dir = try temporaryDirectory(self)
        var c = SyntheticSequences.Configuration()
        c.subjects = 1
        c.samplesPerSubject = 2
        c.frames = 6
        c.side = 96
        try SyntheticSequences.generate(into: dir + "/raw", seed: 5, configuration: c)
        let summary = try run(dir, faceSize: 96)
        XCTAssertEqual(summary.failures, [])
        XCTAssertEqual(summary.records.count, 2)
        XCTAssertEqual(summary.dmarkerSamples, 0)
        XCTAssertEqual(summary.dmarkerMissing.count, 2)
        XCTAssertEqual(summary.records[0].dmarkerTracking?.missingReason, "dlib found the face on 0 of 6 tracked frames (at least 2 and 50 % needed)")
        let features = try String(contentsOfFile: try XCTUnwrap(summary.featuresPath), encoding: .utf8)
        XCTAssertEqual(features, (["id"] + DMarkers.columns).joined(separator: ",") + "\n")
        let report = try String(contentsOfFile: summary.reportPath, encoding: .utf8)
        XCTAssertTrue(report.hasPrefix("line,dataset,sub,sample,status,apex,apex_source,face,landmarks,note,dmarkers\n"), report)
        XCTAssertTrue(report.contains("none: dlib found the face on 0 of 6 tracked frames"), report)
        let data = try CompositeLoader(directory: dir + "/out").load()
        XCTAssertThrowsError(try HandcraftedFeatureFile.read(path: summary.featuresPath!, samples: data.samples)) { error in
            XCTAssertTrue("\(error)".contains("no row for 2 of the dataset's 2 samples"), "\(error)")
        }
    }

    /// Real face crops warped by a known displacement field that rises linearly from the onset to
    /// the apex: the durations add up to the clip, the onset phase ends at the apex (within a frame),
    /// the mouth corners' onset amplitude is the field's displacement there over the eye distance,
    /// and a frame replaced by a flat image is interpolated and counted.
    func testDMarkersOfWarpedRealFacesMatchTheKnownMotion() throws {
        let faces = try ["sub01_EP02_01f.jpg", "s01_s1_ne_01.jpg", "sub06_EP01_01.jpg"].map { try SharedData.face($0, side: 192) }
        let dir = try temporaryDirectory(self)
        var c = SyntheticSequences.Configuration()
        c.subjects = 3
        c.samplesPerSubject = 3
        c.frames = 10
        c.side = 192
        c.amplitude = 4
        c.noise = 0.5
        c.faces = faces
        let clips = try SyntheticSequences.generate(into: dir + "/raw", seed: 7, configuration: c)
        // One frame of the first clip shows no face.
        let blankFrame = clips[0].onset + 2
        try GrayImage(rows: 192, cols: 192, pixels: [UInt8](repeating: 128, count: 192 * 192)).colour
            .write(path: dir + "/raw/frames/\(clips[0].subject)/\(clips[0].sample)/img\(blankFrame).png")
        let summary = try run(dir, faceSize: 192)
        XCTAssertEqual(summary.failures, [])
        let detector = try SharedDetectors.landmarks()
        let column = { (name: String) in DMarkers.columns.firstIndex(of: name)! }
        var checked = 0, amplitudeErrors: [Double] = []
        for (clip, record) in zip(clips, summary.records) {
            XCTAssertEqual(record.entry.sample, clip.sample)
            guard let values = record.dmarkers else {
                print("no D-Markers for \(clip.subject)/\(clip.sample): \(record.dmarkerTracking?.missingReason ?? "?")")
                continue
            }
            checked += 1
            let tracking = try XCTUnwrap(record.dmarkerTracking)
            XCTAssertEqual(tracking.frames, clip.offset - clip.onset + 1)
            XCTAssertEqual(tracking.fps, 100)
            let total = values[column("onset_duration")] + values[column("apex_duration")] + values[column("offset_duration")]
            XCTAssertEqual(total, Double(clip.offset - clip.onset) / 100, accuracy: 1e-12)
            XCTAssertEqual(values[column("onset_duration")], Double(clip.apex - clip.onset) / 100, accuracy: 0.0101,
                           "\(clip.subject)/\(clip.sample): the onset phase ends within a frame of the apex")
            // The known motion at the mouth corner dlib finds on the onset frame, in frame pixels.
            let onset = try XCTUnwrap(GrayImage.read(path: dir + "/raw/frames/\(clip.subject)/\(clip.sample)/img\(clip.onset).png"))
            let box = record.faceBox
            let crop = onset.cropped(to: box).resized(rows: 192, cols: 192)
            guard case .success(let shape) = detector.shape(in: crop) else { continue }
            let sx = Double(box.width) / 192, sy = Double(box.height) / 192
            func frame(_ i: Int) -> (x: Double, y: Double) { (Double(box.x) + shape.points[i].x * sx, Double(box.y) + shape.points[i].y * sy) }
            func centre(_ r: ClosedRange<Int>) -> (x: Double, y: Double) {
                (r.map { frame($0).x }.reduce(0, +) / 6, r.map { frame($0).y }.reduce(0, +) / 6)
            }
            let iod = hypot(centre(36...41).x - centre(42...47).x, centre(36...41).y - centre(42...47).y)
            let d = clip.field.displacement(x: frame(48).x, y: frame(48).y)
            let expected = hypot(d.u, d.v) / iod
            let measured = values[column("lip_left_onset_amplitude")]
            amplitudeErrors.append(abs(measured - expected))
            print("\(clip.subject)/\(clip.sample) class \(clip.label): lip_left onset amplitude \(measured) IOD, known motion \(expected) IOD; \(tracking.summary)")
        }
        print("D-Markers for \(checked) of \(clips.count) clips; mean |amplitude error| \(amplitudeErrors.reduce(0, +) / Double(max(1, amplitudeErrors.count))) IOD")
        XCTAssertGreaterThanOrEqual(checked, 6, "dlib tracks most warped real faces")
        XCTAssertFalse(amplitudeErrors.isEmpty)
        XCTAssertLessThan(amplitudeErrors.reduce(0, +) / Double(amplitudeErrors.count), 0.02)
        let first = try XCTUnwrap(summary.records.first?.dmarkerTracking)
        if first.missingReason == nil { XCTAssertGreaterThanOrEqual(first.interpolated, 1, "the flat frame is filled in") }
        // features.csv: one row per clip with D-Markers, readable as dataset.features when all have them.
        let text = try String(contentsOfFile: try XCTUnwrap(summary.featuresPath), encoding: .utf8)
        XCTAssertEqual(text.split(separator: "\n").count, 1 + checked)
        XCTAssertTrue(text.hasPrefix((["id"] + DMarkers.columns).joined(separator: ",") + "\n"))
        let data = try CompositeLoader(directory: dir + "/out").load()
        if checked == clips.count {
            let features = try HandcraftedFeatureFile.read(path: summary.featuresPath!, samples: data.samples)
            XCTAssertEqual(features.columns, DMarkers.columns)
        }
    }
}
