import Dataset
import Preprocessing
import Foundation
import XCTest

/// Every kind of bad input the loader must reject, each with its exact message (file, line,
/// problem), and the skip-and-report mode that lets a user load the rest.
final class LoaderValidationTests: XCTestCase {
    func testTinyCompositeLoads() throws {
        let tiny = try TinyComposite(self)
        let data = try tiny.load()
        XCTAssertEqual(data.samples.count, 9)
        XCTAssertEqual(data.subjects, ["s01", "s02", "s03"])
        XCTAssertEqual(data.manifest.landmarksDetected, 9)
        XCTAssertTrue(data.skipped.isEmpty)
    }

    func testMissingFlowFile() throws {
        let tiny = try TinyComposite(self)
        let id = try tiny.id(line: 3)
        try FileManager.default.removeItem(atPath: tiny.flowPath(id))
        XCTAssertDatasetError(try tiny.load(), "\(tiny.annotations):3: flow image not found: \(tiny.flowPath(id))")
    }

    func testUnreadableImage() throws {
        let tiny = try TinyComposite(self)
        let id = try tiny.id(line: 2)
        try Data("not a png".utf8).write(to: URL(fileURLWithPath: tiny.flowPath(id)))
        XCTAssertDatasetError(try tiny.load(), "\(tiny.annotations):2: OpenCV cannot read the flow image \(tiny.flowPath(id))")
    }

    func testWrongSizedImage() throws {
        let tiny = try TinyComposite(self)
        let id = try tiny.id(line: 4)
        try Image8(rows: 30, cols: 28, channels: 3, pixels: [UInt8](repeating: 9, count: 30 * 28 * 3)).write(path: tiny.flowPath(id))
        XCTAssertDatasetError(try tiny.load(),
                              "\(tiny.annotations):4: flow image \(tiny.flowPath(id)) is 30x28 pixels; expected 28x28")
    }

    func testUnknownLabel() throws {
        let tiny = try TinyComposite(self)
        try tiny.setField(tiny.annotations, line: 5, column: 3, to: "7")
        XCTAssertDatasetError(try tiny.load(),
                              "\(tiny.annotations):5: label '7' is not a class: expected 0..<3 (0 negative, 1 positive, 2 surprise) or a class name")
        try tiny.setField(tiny.annotations, line: 5, column: 3, to: "happy")
        XCTAssertDatasetError(try tiny.load(),
                              "\(tiny.annotations):5: label 'happy' is not a class: expected 0..<3 (0 negative, 1 positive, 2 surprise) or a class name")
    }

    func testLabelsMayBeClassNames() throws {
        let tiny = try TinyComposite(self)
        let before = try tiny.load()
        try tiny.setField(tiny.annotations, line: 2, column: 3, to: before.classNames[before.samples[0].label])
        XCTAssertEqual(try tiny.load().samples, before.samples)
    }

    func testDuplicateSampleID() throws {
        let tiny = try TinyComposite(self)
        var lines = try tiny.lines(tiny.annotations)
        lines.append(lines[1])
        try tiny.write(lines, to: tiny.annotations)
        XCTAssertDatasetError(try tiny.load(), "\(tiny.annotations):11: duplicate sample '\(try tiny.id(line: 2))' (line 2 already lists it)")
    }

    func testEmptySubject() throws {
        let tiny = try TinyComposite(self)
        try tiny.setField(tiny.annotations, line: 6, column: 1, to: "")
        XCTAssertDatasetError(try tiny.load(), "\(tiny.annotations):6: empty 'sub' field")
    }

    /// A landmarks row for a sample the CSV does not list means the two files do not belong
    /// together (the CSV's samples would silently fall back): an error, before any image is read.
    func testLandmarksForUnknownSample() throws {
        let tiny = try TinyComposite(self)
        var lines = try tiny.lines(tiny.landmarks)
        lines.append("s99_clip01 .png,1,9,11,21,11,15,17,10,22,20,22")
        try tiny.write(lines, to: tiny.landmarks)
        XCTAssertDatasetError(try tiny.load(),
                              "\(tiny.landmarks):11: landmarks for 's99_clip01 .png', which the annotation CSV does not list (the two files must describe the same samples)")
    }

    func testLandmarksOutOfRangeOrNotNumbers() throws {
        let tiny = try TinyComposite(self)
        try tiny.setField(tiny.landmarks, line: 3, column: 2, to: "80.5")
        XCTAssertDatasetError(try tiny.load(),
                              "\(tiny.landmarks):3: landmark lx_eye = 80.5 is out of range: a 28x28-frame coordinate must lie in -14...42")
        try tiny.setField(tiny.landmarks, line: 3, column: 2, to: "-14.5")
        XCTAssertDatasetError(try tiny.load(),
                              "\(tiny.landmarks):3: landmark lx_eye = -14.5 is out of range: a 28x28-frame coordinate must lie in -14...42")
        try tiny.setField(tiny.landmarks, line: 3, column: 2, to: "abc")
        XCTAssertDatasetError(try tiny.load(), "\(tiny.landmarks):3: landmark lx_eye 'abc' is not a number")
        try tiny.setField(tiny.landmarks, line: 3, column: 2, to: "nan")
        XCTAssertDatasetError(try tiny.load(), "\(tiny.landmarks):3: landmark lx_eye 'nan' is not a number")
        // Slightly outside the frame is what MTCNN really produces (the crop clamps it): accepted.
        try tiny.setField(tiny.landmarks, line: 3, column: 3, to: "-5.95")
        try tiny.setField(tiny.landmarks, line: 3, column: 2, to: "9.5")
        XCTAssertEqual(try tiny.load().samples.count, 9)
    }

    func testDuplicateLandmarksRow() throws {
        let tiny = try TinyComposite(self)
        var lines = try tiny.lines(tiny.landmarks)
        lines.append(lines[2])
        try tiny.write(lines, to: tiny.landmarks)
        XCTAssertDatasetError(try tiny.load(),
                              "\(tiny.landmarks):11: duplicate landmarks for '\(try tiny.id(line: 3))' (line 3 already gives them)")
    }

    func testMissingColumnAndRaggedRow() throws {
        let tiny = try TinyComposite(self)
        var lines = try tiny.lines(tiny.annotations)
        lines[0] = lines[0].replacingOccurrences(of: "label", with: "emotion")
        try tiny.write(lines, to: tiny.annotations)
        XCTAssertDatasetError(try tiny.load(),
                              "\(tiny.annotations):1: missing column 'label' (the header has: dataset, sub, filename_o, emotion, apex, imagename, sub_filename)")
        lines[0] = lines[0].replacingOccurrences(of: "emotion", with: "label")
        lines[3] += ",extra"
        try tiny.write(lines, to: tiny.annotations)
        XCTAssertDatasetError(try tiny.load(), "\(tiny.annotations):4: has 8 fields; the header has 7")
    }

    func testMissingFolderPieces() throws {
        let tiny = try TinyComposite(self)
        XCTAssertDatasetError(try CompositeLoader(directory: tiny.directory + "/nope").load(),
                              "\(tiny.directory)/nope: no such dataset folder")
        XCTAssertDatasetError(try tiny.load(LoadOptions(landmarksFile: "other.csv")),
                              "\(tiny.directory)/other.csv: landmarks CSV not found")
        try FileManager.default.removeItem(atPath: tiny.flow)
        XCTAssertDatasetError(try tiny.load(), "\(tiny.directory): no flow-image folder: expected flow/ or STSNet_whole_norm_u_v_os/")
        try FileManager.default.removeItem(atPath: tiny.annotations)
        try FileManager.default.removeItem(atPath: tiny.landmarks)
        XCTAssertDatasetError(try tiny.load(), "\(tiny.directory): no annotation CSV: expected combined_3_class2_for_optical_flow.csv")
    }

    func testReferenceFolderNamesAndOtherCSVName() throws {
        let tiny = try TinyComposite(self)
        let expected = try tiny.load()
        let fm = FileManager.default
        try fm.moveItem(atPath: tiny.flow, toPath: tiny.directory + "/STSNet_whole_norm_u_v_os")
        try fm.moveItem(atPath: tiny.directory + "/apex", toPath: tiny.directory + "/combined_datasets_whole")
        try fm.moveItem(atPath: tiny.annotations, toPath: tiny.directory + "/my_annotations.csv")
        let renamed = try tiny.load()
        XCTAssertEqual(renamed.samples, expected.samples)
        XCTAssertEqual(renamed.inputs, expected.inputs)
        XCTAssertEqual(renamed.manifest.apexDirectory, tiny.directory + "/combined_datasets_whole")
        XCTAssertEqual(renamed.manifest.annotationFile, tiny.directory + "/my_annotations.csv")
    }

    /// No landmarks file, or no row for a sample: the reference's fallback landmarks, counted.
    func testMissingLandmarksUseTheFallback() throws {
        let tiny = try TinyComposite(self)
        var lines = try tiny.lines(tiny.landmarks)
        lines.remove(at: 2)
        try tiny.write(lines, to: tiny.landmarks)
        let partial = try tiny.load()
        XCTAssertEqual(partial.manifest.landmarksMissingRow, 1)
        XCTAssertEqual(partial.manifest.landmarksDetected, 8)
        let image = try XCTUnwrap(Image8.readColor(path: tiny.flowPath(try tiny.id(line: 3))))
        XCTAssertEqual(partial.inputs(at: [1]), InputComposer().compose(image, landmarks: .fallback))

        try FileManager.default.removeItem(atPath: tiny.landmarks)
        let none = try tiny.load()
        XCTAssertNil(none.manifest.landmarksFile)
        XCTAssertEqual(none.manifest.landmarksMissingRow, 9)
    }

    func testSkipInvalidRecordsEachSkip() throws {
        let tiny = try TinyComposite(self)
        let missing = try tiny.id(line: 3)
        try FileManager.default.removeItem(atPath: tiny.flowPath(missing))
        try tiny.setField(tiny.annotations, line: 7, column: 3, to: "9")
        let full = try TinyComposite(self).load()
        let data = try tiny.load(LoadOptions(skipInvalid: true))
        XCTAssertEqual(data.samples.count, 7)
        XCTAssertEqual(data.skipped.map(\.id), [missing, try tiny.id(line: 7)])
        XCTAssertEqual(data.skipped.map { "\($0.error)" }, [
            "\(tiny.annotations):3: flow image not found: \(tiny.flowPath(missing))",
            "\(tiny.annotations):7: label '9' is not a class: expected 0..<3 (0 negative, 1 positive, 2 surprise) or a class name",
        ])
        XCTAssertEqual(data.samples.map(\.id), full.samples.map(\.id).filter { $0 != missing && $0 != (try? tiny.id(line: 7)) })
        XCTAssertTrue(DatasetSummary(data).text.contains("skipped: 2\n  skipped '\(missing)': \(tiny.annotations):3: flow image not found"))
    }

    /// A subject all of whose rows were skipped has no samples and cannot be a fold: the manifest
    /// and the summary name it. Without skipping, its first bad row is an error.
    func testSubjectWithNoSamples() throws {
        let tiny = try TinyComposite(self)
        let lines = try tiny.lines(tiny.annotations)
        let s02 = lines.indices.filter { lines[$0].contains(",s02,") }.map { $0 + 1 }
        XCTAssertFalse(s02.isEmpty)
        for line in s02 { try tiny.setField(tiny.annotations, line: line, column: 3, to: "x") }
        XCTAssertDatasetError(try tiny.load(),
                              "\(tiny.annotations):\(s02[0]): label 'x' is not a class: expected 0..<3 (0 negative, 1 positive, 2 surprise) or a class name")
        let data = try tiny.load(LoadOptions(skipInvalid: true))
        XCTAssertEqual(data.subjects, ["s01", "s03"])
        XCTAssertEqual(data.manifest.subjectsWithoutSamples, ["s02"])
        XCTAssertEqual(data.skipped.count, s02.count)
        XCTAssertTrue(DatasetSummary(data).text.contains("subjects with no samples left (not folds): s02"))
    }

    func testEverythingSkippedIsAnError() throws {
        let tiny = try TinyComposite(self)
        for line in 2...10 { try tiny.setField(tiny.annotations, line: line, column: 3, to: "9") }
        XCTAssertDatasetError(try tiny.load(LoadOptions(skipInvalid: true)),
                              "\(tiny.annotations): every row was skipped; the first: \(tiny.annotations):2: label '9' is not a class: expected 0..<3 (0 negative, 1 positive, 2 surprise) or a class name")
    }

    func testOtherLabelSets() throws {
        let tiny = try TinyComposite(self)
        let five = ["happiness", "disgust", "repression", "surprise", "others"]
        for line in 2...10 { try tiny.setField(tiny.annotations, line: line, column: 3, to: String((line - 2) % 5)) }
        let data = try tiny.load(LoadOptions(classNames: five))
        XCTAssertEqual(data.classNames, five)
        XCTAssertEqual(data.labels, [0, 1, 2, 3, 4, 0, 1, 2, 3])
        XCTAssertEqual(DatasetSummary(data).total.classCounts, [2, 2, 2, 2, 1])
        try tiny.setField(tiny.annotations, line: 4, column: 3, to: "5")
        XCTAssertDatasetError(try tiny.load(LoadOptions(classNames: five)),
                              "\(tiny.annotations):4: label '5' is not a class: expected 0..<5 (0 happiness, 1 disgust, 2 repression, 3 surprise, 4 others) or a class name")
        XCTAssertDatasetError(try tiny.load(LoadOptions(classNames: [])), "\(tiny.annotations): no class names given")
        XCTAssertDatasetError(try tiny.load(LoadOptions(classNames: ["a", "b", "a"])), "\(tiny.annotations): class names repeat: a, b, a")
    }

    /// The annotation CSV given where its folder belongs: said so, not "wrong magic bytes".
    func testACSVGivenForItsFolderIsNamed() throws {
        let tiny = try TinyComposite(self)
        XCTAssertDatasetError(try ComposedDataset.open(path: tiny.annotations),
                              "\(tiny.annotations): is a CSV file, not a dataset folder or feature cache: give the folder that holds it "
                              + "(\(tiny.directory)); FER2013 CSVs are read with dataset: {format: fer2013, path: ...}")
    }

    /// Saved in a legacy code page (Windows-1252 'é' on line 4): the line is named.
    func testALegacyEncodingNamesTheLine() throws {
        let tiny = try TinyComposite(self)
        var lines = try tiny.lines(tiny.annotations).map { Data($0.utf8) }
        lines[3] = Data("tiny,s01,clip\u{1},0,,x,".utf8.map { $0 == 1 ? 0xE9 : $0 })
        try Data(lines.joined(separator: Data("\n".utf8)) + Data("\n".utf8)).write(to: URL(fileURLWithPath: tiny.annotations))
        XCTAssertDatasetError(try tiny.load(),
                              "\(tiny.annotations):4: is not UTF-8 text: save it as 'CSV UTF-8' (a spreadsheet's plain CSV may use a legacy code page)")
    }

    /// A header and no rows is said as such, not as landmarks rows for samples the CSV lacks.
    func testHeaderOnlyAnnotationCSV() throws {
        let tiny = try TinyComposite(self)
        try tiny.write([try tiny.lines(tiny.annotations)[0]], to: tiny.annotations)
        XCTAssertDatasetError(try tiny.load(), "\(tiny.annotations): has a header but no sample rows")
    }

    /// A spreadsheet saved with ';' or tabs: the missing-column error says what the separator was.
    func testOtherSeparatorIsNamed() throws {
        let tiny = try TinyComposite(self)
        let lines = try tiny.lines(tiny.annotations)
        try tiny.write(lines.map { $0.replacingOccurrences(of: ",", with: ";") }, to: tiny.annotations)
        XCTAssertDatasetError(try tiny.load(),
                              "\(tiny.annotations):1: missing column 'dataset' (the header has: dataset;sub;filename_o;label;apex;imagename;sub_filename); "
                              + "the fields are separated by ';', not commas: save the file as comma-separated CSV")
        try tiny.write(lines.map { $0.replacingOccurrences(of: ",", with: "\t") }, to: tiny.annotations)
        XCTAssertThrowsError(try tiny.load()) { XCTAssertTrue("\($0)".hasSuffix("the fields are separated by tabs, not commas: save the file as comma-separated CSV"), "\($0)") }
    }

    /// Windows line endings, a byte-order mark, quoted fields and a trailing blank line: still the same data.
    func testCSVDialects() throws {
        let tiny = try TinyComposite(self)
        let expected = try tiny.load()
        var lines = try tiny.lines(tiny.annotations)
        lines[1] = lines[1].split(separator: ",", omittingEmptySubsequences: false)
            .map { "\"\($0)\"" }.joined(separator: ",")
        let text = "\u{FEFF}" + lines.joined(separator: "\r\n") + "\r\n\r\n"
        try text.write(toFile: tiny.annotations, atomically: true, encoding: .utf8)
        let loaded = try tiny.load()
        XCTAssertEqual(loaded.samples, expected.samples)
        XCTAssertEqual(loaded.inputs, expected.inputs)
        try (lines.joined(separator: "\n") + "\n\"open").write(toFile: tiny.annotations, atomically: true, encoding: .utf8)
        XCTAssertDatasetError(try tiny.load(), "\(tiny.annotations):11: a quoted field is never closed")
    }
}
