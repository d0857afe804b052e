import Dataset
import Foundation
@testable import Preprocessing
import Tensor
import TestSupport
import XCTest

/// Single face images (issue 13): the synthetic graded-asymmetry set, its CSV layout, the
/// folder-per-class layout with detection-based alignment, and the errors a user can act on.
final class FaceImageTests: XCTestCase {
    let grades = LoadOptions(classNames: SyntheticGradedFaces.gradeNames)

    func testSyntheticGradedFacesLoadAlignedAndDeterministic() throws {
        let dir = try temporaryDirectory(self)
        let configuration = SyntheticGradedFaces.Configuration(subjects: 12, imagesPerSubject: 4)
        try SyntheticGradedFaces.generate(into: dir + "/a", seed: 3, configuration: configuration)
        try SyntheticGradedFaces.generate(into: dir + "/b", seed: 3, configuration: configuration)
        let a = try ComposedDataset.open(path: dir + "/a", options: grades)
        let b = try ComposedDataset.open(path: dir + "/b", options: grades)
        XCTAssertEqual(a.inputs, b.inputs, "same seed, same faces")
        XCTAssertEqual(a.samples.count, 48)
        XCTAssertEqual(Set(a.labels), Set(0..<6))
        XCTAssertEqual(a.manifest.landmarksDetected, 48, "pre-aligned: every face's landmarks come from faces.csv")
        let summary = DatasetSummary(a).text
        XCTAssertTrue(summary.contains("landmarks:   no landmarks file; per image from the annotation's landmark columns"), summary)
        XCTAssertTrue(summary.contains("landmarks:   48 detected, 0 fallback"), summary)
        // One grade per subject, the affected side recorded (none at grade I), a split per subject.
        for subject in a.subjects {
            let rows = a.samples.filter { $0.subject == subject }
            XCTAssertEqual(Set(rows.map { $0.label }).count, 1)
            XCTAssertEqual(Set(rows.map { $0.split ?? "" }).count, 1)
            XCTAssertEqual(rows[0].side == "none", rows[0].label == 0)
        }
        XCTAssertEqual(Set(a.samples.compactMap { $0.split }), ["train", "val", "test"])
    }

    /// One side carries the grade: the same face and draws rendered at a higher grade instead of I
    /// differ on the affected half (image columns of that side) clearly more than on the other half
    /// (the mouth line crosses the midline, and the per-image contrast stretch touches every pixel),
    /// and grade VI differs more than grade II.
    func testTheAffectedSideChangesWithTheGrade() {
        for affectedLeft in [true, false] {
            var changes: [Float] = []
            for grade in 1...5 {
                var sideDiff: Float = 0, otherDiff: Float = 0
                for subject in 0..<8 {
                    for expression in 0..<4 {
                        var faceRNG = DeterministicRNG(keys: [UInt64(subject)])
                        let face = FaceGeometry(rng: &faceRNG)
                        var r0 = DeterministicRNG(keys: [99, UInt64(subject), UInt64(expression)]), r1 = r0
                        let base = face.render(grade: 0, affectedLeft: affectedLeft, expression: expression, noise: 0, rng: &r0).0
                        let graded = face.render(grade: grade, affectedLeft: affectedLeft, expression: expression, noise: 0, rng: &r1).0
                        for i in 0..<(28 * 28) {
                            let d = abs(Float(graded.pixels[3 * i + 1]) - Float(base.pixels[3 * i + 1]))
                            let left = Double(i % 28) < face.cx
                            if left == affectedLeft { sideDiff += d } else { otherDiff += d }
                        }
                    }
                }
                XCTAssertGreaterThan(sideDiff, 1.5 * otherDiff, "grade \(grade), affected left \(affectedLeft)")
                changes.append(sideDiff)
            }
            XCTAssertGreaterThan(changes[4], 1.5 * changes[0], "grade VI changes the affected side more than grade II")
        }
    }

    func testFolderPerClassIsAlignedByTheFacePipeline() throws {
        let dir = try temporaryDirectory(self)
        try SyntheticGradedFaces.generate(into: dir + "/src", seed: 2, configuration: SyntheticGradedFaces.Configuration(subjects: 6, imagesPerSubject: 2))
        let source = try ComposedDataset.open(path: dir + "/src", options: grades)
        let fm = FileManager.default
        for name in ["I", "II"] { try fm.createDirectory(atPath: dir + "/folders/" + name, withIntermediateDirectories: true) }
        var copied = 0
        for s in source.samples where s.label < 2 {
            let file = (s.id as NSString).lastPathComponent
            try fm.copyItem(atPath: dir + "/src/" + s.id, toPath: dir + "/folders/\(SyntheticGradedFaces.gradeNames[s.label])/\(file)")
            copied += 1
        }
        XCTAssertTrue(FaceImageLoader.isFacesFolder(dir + "/folders", classNames: ["I", "II"]))
        let data = try ComposedDataset.open(path: dir + "/folders", options: LoadOptions(classNames: ["I", "II"]))
        XCTAssertEqual(data.samples.count, copied)
        let expected = Set(source.samples.filter { $0.label < 2 }.map { $0.subject })
        XCTAssertEqual(Set(data.samples.map { $0.subject }), expected)
        // No landmarks given: every image went through cascade + dlib; the counts say how each was aligned.
        XCTAssertEqual(data.manifest.landmarksDetected + data.manifest.landmarksMissingRow, copied)

        // An undecodable image in a class folder: the folder and the image, no CSV line.
        let first = try fm.contentsOfDirectory(atPath: dir + "/folders/I").sorted()[0]
        try Data("not an image".utf8).write(to: URL(fileURLWithPath: dir + "/folders/I/" + first))
        XCTAssertDatasetError(try ComposedDataset.open(path: dir + "/folders", options: LoadOptions(classNames: ["I", "II"])),
                              "\(dir)/folders: OpenCV cannot read the image \(dir)/folders/I/\(first)")
        // A sub-folder that is no class: named, not reported as a composite without its CSV.
        try fm.moveItem(atPath: dir + "/folders/II", toPath: dir + "/folders/VII")
        XCTAssertDatasetError(try ComposedDataset.open(path: dir + "/folders", options: LoadOptions(classNames: ["I", "II"])),
                              "\(dir)/folders: no annotation CSV (combined_3_class2_for_optical_flow.csv or faces.csv), and as a folder per class, "
                              + "sub-folder(s) VII are not among the classes I, II (set classes: in the experiment, or --classes)")
    }

    func testBadRowsNameTheFileAndRow() throws {
        let dir = try temporaryDirectory(self)
        try SyntheticGradedFaces.generate(into: dir + "/f", seed: 1, configuration: SyntheticGradedFaces.Configuration(subjects: 6, imagesPerSubject: 1))
        let csv = dir + "/f/faces.csv"
        let good = try String(contentsOfFile: csv, encoding: .utf8).split(separator: "\n").map(String.init)
        func write(_ lines: [String]) throws { try (lines.joined(separator: "\n") + "\n").write(toFile: csv, atomically: true, encoding: .utf8) }
        var lines = good
        for side in [",left,", ",right,", ",none,"] { lines[2] = lines[2].replacingOccurrences(of: side, with: ",up,") }
        try write(lines)
        XCTAssertThrowsError(try FaceImageLoader(directory: dir + "/f", options: grades).load()) { error in
            XCTAssertTrue("\(error)".contains("faces.csv:3: side 'up' is not left, right or none"), "\(error)")
        }
        lines = good
        lines[1] = lines[1].replacingOccurrences(of: "images/", with: "missing/")
        try write(lines)
        XCTAssertThrowsError(try FaceImageLoader(directory: dir + "/f", options: grades).load()) { error in
            XCTAssertTrue("\(error)".contains("faces.csv:2: image not found"), "\(error)")
        }
        try write(good)
        XCTAssertThrowsError(try FaceImageLoader(directory: dir + "/f", options: LoadOptions()).load()) { error in
            XCTAssertTrue("\(error)".contains("is not a class"), "\(error)")
        }
        // Landmarks as the landmarks CSV takes them: finite, at most one crop outside the 28x28 frame
        // (a NaN used to reach the crop's integer conversion and trap).
        let lxEye = good[0].split(separator: ",").firstIndex(of: "lx_eye")!
        for (value, problem) in [("nan", "landmark lx_eye 'nan' is not a number"), ("inf", "landmark lx_eye 'inf' is not a number"),
                                 ("abc", "landmark lx_eye 'abc' is not a number"),
                                 ("300", "landmark lx_eye = 300 is out of range: a 28x28-frame coordinate must lie in -14...42")] {
            lines = good
            var fields = lines[2].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields[lxEye] = value
            lines[2] = fields.joined(separator: ",")
            try write(lines)
            XCTAssertDatasetError(try FaceImageLoader(directory: dir + "/f", options: grades).load(), "\(csv):3: \(problem)")
        }
        try write(good)
        // A class map reads the grades as 3 classes.
        let map = LabelMap(entries: ["I": 0, "II": 0, "III": 1, "IV": 1, "V": 2, "VI": 2])
        let three = try FaceImageLoader(directory: dir + "/f", options: LoadOptions(classNames: ["mild", "moderate", "severe"], labelMap: map)).load()
        XCTAssertEqual(Set(three.labels), [0, 1, 2])
    }
}
