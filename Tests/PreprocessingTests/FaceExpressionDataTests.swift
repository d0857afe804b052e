import Dataset
import Foundation
import Preprocessing
import TestSupport
import XCTest

/// The face-expression loaders (FER2013, FER+, RAF-DB, folder per class) on tiny files written here,
/// their named errors, and the synthetic face-expression set.
final class FaceExpressionDataTests: XCTestCase {
    func ferRow(_ emotion: Int, grey: Int, usage: String, count: Int = 2304) -> String {
        "\(emotion),\"\(Array(repeating: String(grey), count: count).joined(separator: " "))\",\(usage)"
    }

    func testFER2013CSVAndFERPlusLabels() throws {
        let dir = try temporaryDirectory(self)
        let csv = dir + "/fer2013.csv"
        try (["emotion,pixels,Usage", ferRow(3, grey: 10, usage: "Training"), ferRow(6, grey: 200, usage: "PublicTest"),
              ferRow(0, grey: 90, usage: "Training")].joined(separator: "\n") + "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        let all = try FER2013Loader.load(csv: csv)
        XCTAssertEqual(all.labels, [3, 6, 0])
        XCTAssertEqual(all.classNames.count, 7)
        XCTAssertEqual(all.imageSize, 48)
        XCTAssertEqual(all.channels, 3)
        XCTAssertEqual(all.subjects.count, 3, "FER2013 has no subject ids: each image is its own subject")
        XCTAssertEqual(all.inputs[0], 10)
        XCTAssertEqual(all.inputs[all.sampleSize + 2 * 48 * 48 - 1], 200)
        let training = try FER2013Loader.load(csv: csv, usages: ["Training"])
        XCTAssertEqual(training.labels, [3, 0])
        XCTAssertEqual(training.samples.map(\.dataset), ["Training", "Training"])

        // FER+: majority of eight emotions; a row whose top vote is unknown / NF is left out.
        let plus = dir + "/fer2013new.csv"
        try """
            Usage,Image name,neutral,happiness,surprise,sadness,anger,disgust,fear,contempt,unknown,NF
            Training,fer0000000.png,0,8,2,0,0,0,0,0,0,0
            PublicTest,fer0000001.png,4,0,0,0,0,0,0,0,6,0
            Training,fer0000002.png,1,0,0,0,5,0,0,4,0,0
            """.write(toFile: plus, atomically: true, encoding: .utf8)
        let relabelled = try FER2013Loader.load(csv: csv, ferPlus: plus)
        XCTAssertEqual(relabelled.labels, [1, 4])
        XCTAssertEqual(relabelled.samples.map(\.id), ["fer00000", "fer00002"])
        XCTAssertEqual(relabelled.classNames.count, 8)
    }

    func testFER2013BadRowsNameFileRowAndProblem() throws {
        let dir = try temporaryDirectory(self)
        let csv = dir + "/bad.csv"
        try (["emotion,pixels,Usage", ferRow(3, grey: 10, usage: "Training"), ferRow(2, grey: 1, usage: "Training", count: 2303)]
            .joined(separator: "\n")).write(toFile: csv, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try FER2013Loader.load(csv: csv)) {
            XCTAssertEqual("\($0)", "\(csv):3: pixels holds 2303 values, a 48x48 image needs 2304")
        }
        try (["emotion,pixels,Usage", ferRow(9, grey: 10, usage: "Training")].joined(separator: "\n")).write(toFile: csv, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try FER2013Loader.load(csv: csv)) { XCTAssertEqual("\($0)", "\(csv):2: emotion '9' is not a label 0-6") }
        try (["emotion,pixels,Usage", ferRow(1, grey: 300, usage: "Training")].joined(separator: "\n")).write(toFile: csv, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try FER2013Loader.load(csv: csv)) { XCTAssertEqual("\($0)", "\(csv):2: pixel 1 '300' is not a grey level 0-255") }
        try "label,pixels\n1,2\n".write(toFile: csv, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try FER2013Loader.load(csv: csv)) { XCTAssertTrue("\($0)".hasPrefix("\(csv):1: no 'emotion' column"), "\($0)") }
    }

    func image(_ value: UInt8, side: Int = 20) -> Image8 {
        Image8(rows: side, cols: side, channels: 3, pixels: (0..<(side * side)).flatMap { _ in [value / 2, value, value] })
    }

    func testRAFDBAndClassFolders() throws {
        let dir = try temporaryDirectory(self)
        try FileManager.default.createDirectory(atPath: dir + "/aligned", withIntermediateDirectories: true)
        try image(100).write(path: dir + "/aligned/train_00001_aligned.png")
        try image(200).write(path: dir + "/aligned/test_0001.png")
        try "train_00001.png 4\ntest_0001.png 7\n".write(toFile: dir + "/list.txt", atomically: true, encoding: .utf8)
        let raf = try RAFDBLoader.load(labels: dir + "/list.txt", images: dir + "/aligned", side: 32)
        XCTAssertEqual(raf.labels, [3, 6])
        XCTAssertEqual(raf.samples.map(\.dataset), ["train", "test"])
        XCTAssertEqual(raf.imageSize, 32)
        XCTAssertEqual(raf.inputs[0], 50, "B plane of a BGR (50, 100, 100) image")
        XCTAssertEqual(raf.inputs[32 * 32], 100)
        try "train_00001.png 4\nmissing.png 2\n".write(toFile: dir + "/list.txt", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try RAFDBLoader.load(labels: dir + "/list.txt", images: dir + "/aligned")) {
            XCTAssertTrue("\($0)".hasPrefix("\(dir)/list.txt:2: image missing.png is not in"), "\($0)")
        }
        try "train_00001.png 8\n".write(toFile: dir + "/list.txt", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try RAFDBLoader.load(labels: dir + "/list.txt", images: dir + "/aligned")) {
            XCTAssertEqual("\($0)", "\(dir)/list.txt:1: label '8' is not 1-7")
        }
        // Edited on Windows (byte-order mark, CRLF, a trailing blank line): the same samples.
        try "\u{FEFF}train_00001.png 4\r\ntest_0001.png 7\r\n\r\n".write(toFile: dir + "/list.txt", atomically: true, encoding: .utf8)
        let windows = try RAFDBLoader.load(labels: dir + "/list.txt", images: dir + "/aligned", side: 32)
        XCTAssertEqual(windows.samples, raf.samples)
        XCTAssertEqual(windows.inputs, raf.inputs)
        try "train_00001.png 4\r\ntest_0001.png 7\r\ntrain_00001.png 4\r\n".write(toFile: dir + "/list.txt", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try RAFDBLoader.load(labels: dir + "/list.txt", images: dir + "/aligned")) {
            XCTAssertEqual("\($0)", "\(dir)/list.txt:3: image train_00001.png is listed twice (line 1)")
        }

        for (cls, files) in [("happy", ["S005_001_00000011.png", "S010_002_00000003.png"]), ("sad", ["S005_003_00000007.png"])] {
            try FileManager.default.createDirectory(atPath: "\(dir)/ck/\(cls)", withIntermediateDirectories: true)
            for f in files { try image(cls == "happy" ? 220 : 40).write(path: "\(dir)/ck/\(cls)/\(f)") }
        }
        let ck = try ClassFolderLoader.load(root: dir + "/ck", side: 16)
        XCTAssertEqual(ck.classNames, ["happy", "sad"])
        XCTAssertEqual(ck.labels, [0, 0, 1])
        XCTAssertEqual(ck.samples.map(\.subject), ["S005", "S010", "S005"], "CK+ subject ids from file names")
        XCTAssertThrowsError(try ClassFolderLoader.load(root: dir + "/ck", classNames: ["happy", "angry"])) {
            XCTAssertTrue("\($0)".contains("folder is not one of the classes"), "\($0)")
        }
        try "not an image".write(toFile: "\(dir)/ck/sad/S011_001_1.png", atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ClassFolderLoader.load(root: dir + "/ck")) {
            XCTAssertEqual("\($0)", "\(dir)/ck/sad/S011_001_1.png: cannot be decoded as an image")
        }
    }

    func testSyntheticFaceExpressions() {
        let a = SyntheticFaceExpressions.generate(seed: 3, subjects: 4, samplesPerSubject: 7, side: 112)
        XCTAssertEqual(a.samples.count, 28)
        XCTAssertEqual(a.subjects, ["S01", "S02", "S03", "S04"])
        XCTAssertEqual(a.classNames, FaceExpressionClasses.fer2013)
        XCTAssertEqual(Set(a.labels), Set(0..<7))
        for s in a.subjects { XCTAssertEqual(Set(a.indices(ofSubject: s).map { a.labels[$0] }).count, 7, "every subject shows every class") }
        XCTAssertEqual(a.imageSize, 112)
        XCTAssertEqual(a.inputs, SyntheticFaceExpressions.generate(seed: 3, subjects: 4, samplesPerSubject: 7, side: 112).inputs)
        XCTAssertNotEqual(a.inputs, SyntheticFaceExpressions.generate(seed: 4, subjects: 4, samplesPerSubject: 7, side: 112).inputs)
        // Classes differ in pixels: the mean image of happiness and of sadness are apart.
        func mean(_ label: Int) -> [Float] {
            let idx = a.labels.indices.filter { a.labels[$0] == label }
            var m = [Float](repeating: 0, count: a.sampleSize)
            for i in idx { for j in 0..<a.sampleSize { m[j] += a.inputs[i * a.sampleSize + j] / Float(idx.count) } }
            return m
        }
        let diff = zip(mean(3), mean(4)).map { abs($0 - $1) }.reduce(0, +) / Float(a.sampleSize)
        XCTAssertGreaterThan(diff, 2)
    }
}
