import XCTest
@testable import Evaluation

/// One map per variant: an HTNet variant (here 6 dims) and a DDAMFN variant (512 dims) of one run
/// get a map each at their own width; rows of two widths are never put in one map.
final class EmbeddingMapWidthTests: XCTestCase {
    func rows(variant: String, width: Int, count: Int, seed: Int = 1) -> [EmbeddingRow] {
        (0..<count).map { i in
            EmbeddingRow(variant: variant, seed: seed, fold: "k\(i % 2)", subject: "s\(i)", dataset: "d", sample: "\(variant)-\(i)",
                         label: i % 3, pred: i % 3, vector: (0..<width).map { k in Float(k % 3 == i % 3 ? 2 : 0) + Float(sin(Double(i * 5 + k))) * 0.3 })
        }
    }

    func testEachVariantGetsAMapAtItsOwnWidth() {
        let maps = EmbeddingMap.maps(rows(variant: "htnet", width: 6, count: 12) + rows(variant: "ddamfn", width: 512, count: 12))
        XCTAssertEqual(maps.map(\.variant), ["htnet", "ddamfn"])
        XCTAssertEqual(maps.map(\.dimensions), [6, 512])
        XCTAssertEqual(maps.map(\.points.count), [12, 12])
    }

    func testRowsOfTwoWidthsInOneVariantGiveNoMap() {
        let mixed = rows(variant: "v", width: 6, count: 6) + rows(variant: "v", width: 512, count: 6)
        XCTAssertTrue(EmbeddingMap.maps(mixed).isEmpty)
        // Another seed's rows do not matter: the map takes the first seed only.
        XCTAssertEqual(EmbeddingMap.maps(rows(variant: "v", width: 6, count: 8) + rows(variant: "v", width: 512, count: 8, seed: 2)).map(\.dimensions), [6])
    }
}
