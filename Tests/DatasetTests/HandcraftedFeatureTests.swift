import Dataset
import Foundation
import Preprocessing
import XCTest

/// Feature CSVs: read in dataset order, every malformed file refused with file, line and column;
/// standardisation statistics by hand.
final class HandcraftedFeatureTests: XCTestCase {
    let samples = ["s01_a.png", "s01_b.png", "s02_a.png"].enumerated().map {
        Sample(id: $1, subject: String($1.prefix(3)), dataset: "d", label: $0 % 2)
    }

    func parse(_ text: String) throws -> HandcraftedFeatures {
        try HandcraftedFeatureFile.parse(text: text, path: "f.csv", samples: samples)
    }

    func testReadsRowsInDatasetOrderAndIgnoresExtraSamples() throws {
        let f = try parse("id,speed,ratio\ns02_a.png,3,0.5\nother.png,9,9\ns01_a.png,1,1e-1\ns01_b.png, 2 ,-4\n")
        XCTAssertEqual(f.columns, ["speed", "ratio"])
        XCTAssertEqual(f.values, [1, 0.1, 2, -4, 3, 0.5])
        XCTAssertEqual(f.rows(at: [2, 0]), [3, 0.5, 1, 0.1])
        let rendered = HandcraftedFeatureFile.render(f, samples: samples)
        XCTAssertEqual(try parse(rendered), HandcraftedFeatures(columns: f.columns, values: f.values, source: "f.csv"))
    }

    func testNamedErrors() {
        func message(_ text: String) -> String {
            do { _ = try parse(text); return "no error" } catch { return "\(error)" }
        }
        XCTAssertEqual(message("id,speed\ns01_a.png,1\ns01_b.png,2\n"),
                       "f.csv: no row for 1 of the dataset's 3 samples: s02_a.png")
        XCTAssertEqual(message("id,speed,ratio\ns01_a.png,1,2\ns01_b.png,fast,2\ns02_a.png,1,2\n"),
                       "f.csv:3: column 'speed': 'fast' is not a finite number")
        XCTAssertEqual(message("id,speed,ratio\ns01_a.png,1,2\ns01_b.png,2\ns02_a.png,1,2\n"),
                       "f.csv:3: has 2 fields; the header has 3")
        XCTAssertEqual(message("id,speed\ns01_a.png,1\ns01_b.png,nan\ns02_a.png,1\n"),
                       "f.csv:3: column 'speed': 'nan' is not a finite number")
        XCTAssertEqual(message("id,speed\ns01_a.png,1\ns01_a.png,2\n"), "f.csv:3: sample 's01_a.png' already has a row (line 2)")
        XCTAssertEqual(message("id\ns01_a.png\n"),
                       "f.csv:1: the header has 1 column(s); a feature file needs the sample id and at least one feature column")
        XCTAssertEqual(message("id,a,a\n"), "f.csv:1: column 'a' appears twice in the header")
    }

    /// Mean and population sd (divisor n) by hand: column 0 = [1, 2, 3, 6] -> mean 3, sd sqrt(14/4);
    /// column 1 constant -> centred only.
    func testStandardisationByHand() {
        let s = FeatureStandardisation(rows: [1, 5, 2, 5, 3, 5, 6, 5], columns: 2)
        XCTAssertEqual(s.mean, [3, 5])
        XCTAssertEqual(s.standardDeviation[0], (14.0 / 4).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(s.standardDeviation[1], 0)
        let z = s.apply([10, 7])
        XCTAssertEqual(Double(z[0]), 7 / (14.0 / 4).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(z[1], 2)
    }
}
