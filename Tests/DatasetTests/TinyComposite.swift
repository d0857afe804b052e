import Dataset
import Preprocessing
import Foundation
import TestSupport
import XCTest

/// A small synthetic composite folder (3 subjects, 9 clips, every face detected) that a test
/// then damages in one specific way to check one specific error message.
struct TinyComposite {
    let directory: String
    var annotations: String { directory + "/" + CompositeLayout.annotationFileName }
    var landmarks: String { directory + "/" + CompositeLayout.landmarksFileName }
    var flow: String { directory + "/flow" }

    init(_ test: XCTestCase, subjects: Int = 3, samples: Int = 9) throws {
        directory = try temporaryDirectory(test) + "/tiny"
        let source = SyntheticComposite.Source(name: "tiny", subjectPrefix: "s", subjects: subjects,
                                               samples: samples, noise: 10, detectionRate: 1)
        try SyntheticComposite.generate(into: directory, seed: 3,
                                        configuration: SyntheticComposite.Configuration(sources: [source]))
    }

    func flowPath(_ id: String) -> String { flow + "/" + id }

    func load(_ options: LoadOptions = LoadOptions()) throws -> ComposedDataset {
        try CompositeLoader(directory: directory, options: options).load()
    }

    /// Lines of a CSV file (header first), for editing.
    func lines(_ path: String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            .dropLast().map(String.init)
    }

    func write(_ lines: [String], to path: String) throws {
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// Replaces field `column` of 1-based line `line` of a CSV file.
    func setField(_ path: String, line: Int, column: Int, to value: String) throws {
        var all = try lines(path)
        var fields = all[line - 1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[column] = value
        all[line - 1] = fields.joined(separator: ",")
        try write(all, to: path)
    }

    /// The flow image id named on 1-based line `line` of the annotation CSV.
    func id(line: Int) throws -> String {
        let fields = try lines(annotations)[line - 1].split(separator: ",", omittingEmptySubsequences: false)
        return CompositeLayout.flowImageName(subject: String(fields[1]), filename: String(fields[2]))
    }
}

/// Asserts that `body` throws a DatasetError whose text is exactly `message`.
func XCTAssertDatasetError<T>(_ body: @autoclosure () throws -> T, _ message: String,
                              file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        XCTAssertTrue(error is DatasetError, "not a DatasetError: \(error)", file: file, line: line)
        XCTAssertEqual("\(error)", message, file: file, line: line)
    }
}
