import Dataset
import Preprocessing
import Foundation
import TestSupport
import XCTest

/// The feature cache: exact round trip, and every kind of damage rejected with a clear message.
final class FeatureCacheTests: XCTestCase {
    func tinyDataset(skipping: Bool = false) throws -> ComposedDataset {
        let tiny = try TinyComposite(self, subjects: 2, samples: 4)
        if skipping { try tiny.setField(tiny.annotations, line: 2, column: 3, to: "9") }
        return try tiny.load(LoadOptions(skipInvalid: skipping))
    }

    func testRoundTripIsExact() throws {
        let data = try tinyDataset(skipping: true)
        XCTAssertEqual(data.skipped.count, 1)
        let path = try temporaryDirectory(self) + "/caches/tiny.htnfeat"   // a missing folder is created
        try FeatureCache.write(data, to: path)
        let back = try FeatureCache.read(path: path)
        XCTAssertEqual(back, data)
        XCTAssertEqual(back.inputs.map(\.bitPattern), data.inputs.map(\.bitPattern))
        XCTAssertEqual(try ComposedDataset.open(path: path), data)
        XCTAssertEqual(try FeatureCache.encode(back), try FeatureCache.encode(data), "encoding is deterministic")
    }

    func testRealCompositeRoundTripAndSize() throws {
        let data = try CompositeLoader(directory: SharedData.path("data/composite")).load()
        let encoded = try FeatureCache.encode(data)
        XCTAssertEqual(try FeatureCache.decode(encoded, source: "memory"), data)
        XCTAssertLessThan(encoded.count, data.inputs.count * 4 / 2, "zstd should at least halve 0..255 floats")
    }

    /// A flipped byte anywhere is caught: every header byte, and payload bytes at a stride (every
    /// byte would be the same check, many times slower in a debug build).
    func testFlippedBytesAreRejected() throws {
        let encoded = try FeatureCache.encode(try tinyDataset())
        for position in Array(0..<64) + Array(stride(from: 64, to: encoded.count, by: 11)) + [encoded.count - 1] {
            var damaged = encoded
            damaged[position] ^= 0x10
            XCTAssertThrowsError(try FeatureCache.decode(damaged, source: "c.bin"), "flip at \(position) accepted") { error in
                XCTAssertTrue(error is DatasetError)
            }
        }
        var damaged = encoded
        damaged[encoded.count - 5] ^= 0x01
        XCTAssertThrowsError(try FeatureCache.decode(damaged, source: "c.bin")) { error in
            XCTAssertTrue("\(error)".hasPrefix("c.bin: feature cache is corrupted: checksum mismatch (stored "), "\(error)")
        }
        damaged = encoded
        damaged[0] = UInt8(ascii: "X")
        XCTAssertDatasetError(try FeatureCache.decode(damaged, source: "c.bin"), "c.bin: not a feature cache (wrong magic bytes)")
        damaged = encoded
        damaged[8] = 2
        XCTAssertDatasetError(try FeatureCache.decode(damaged, source: "c.bin"),
                              "c.bin: feature cache format version 2; this build reads version 1")
    }

    func testTruncatedOrExtendedFilesAreRejected() throws {
        let encoded = try FeatureCache.encode(try tinyDataset())
        let payload = encoded.count - 64
        XCTAssertDatasetError(try FeatureCache.decode(encoded.prefix(0), source: "c.bin"),
                              "c.bin: truncated feature cache: 0 bytes, shorter than the 64-byte header")
        XCTAssertDatasetError(try FeatureCache.decode(encoded.prefix(63), source: "c.bin"),
                              "c.bin: truncated feature cache: 63 bytes, shorter than the 64-byte header")
        XCTAssertDatasetError(try FeatureCache.decode(encoded.prefix(encoded.count - 1), source: "c.bin"),
                              "c.bin: truncated feature cache: the header promises \(payload) payload bytes, the file holds \(payload - 1)")
        XCTAssertDatasetError(try FeatureCache.decode(encoded + Data([0]), source: "c.bin"),
                              "c.bin: feature cache has 1 unexpected bytes after the payload")
        let path = try temporaryDirectory(self) + "/cut.htnfeat"
        try encoded.prefix(100).write(to: URL(fileURLWithPath: path))
        XCTAssertDatasetError(try FeatureCache.read(path: path),
                              "\(path): truncated feature cache: the header promises \(payload) payload bytes, the file holds 36")
        XCTAssertDatasetError(try FeatureCache.read(path: path + ".none"),
                              "\(path).none: cannot read the feature cache (missing or unreadable)")
    }
}
