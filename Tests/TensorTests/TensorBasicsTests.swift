import Foundation
import Tensor
import XCTest

final class TensorBasicsTests: XCTestCase {
    func testDeterministicRNGStreamsAreStable() {
        var a = DeterministicRNG(keys: [1, 2, 3]), b = DeterministicRNG(keys: [1, 2, 3]), c = DeterministicRNG(keys: [1, 2, 4])
        let xa = (0..<5).map { _ in a.next() }, xb = (0..<5).map { _ in b.next() }, xc = (0..<5).map { _ in c.next() }
        XCTAssertEqual(xa, xb)
        XCTAssertNotEqual(xa, xc)
        // SplitMix64's published first output for seed 0 (Vigna's reference implementation).
        var zero = DeterministicRNG(seed: 0)
        XCTAssertEqual(zero.next(), 0xE220_A839_7B1D_CDAF)
        var n = DeterministicRNG(seed: 9)
        let normals = (0..<20000).map { _ in Double(n.normal()) }
        let mean = normals.reduce(0, +) / 20000
        let variance = normals.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 20000
        XCTAssertEqual(mean, 0, accuracy: 0.03)
        XCTAssertEqual(variance, 1, accuracy: 0.05)
        XCTAssertEqual(stableHash(""), 0xCBF2_9CE4_8422_2325)
        XCTAssertEqual(stableHash("a"), 0xAF63_DC4C_8601_EC8C)   // FNV-1a 64 test vector
    }

    func testSafeTensorsRoundTripAndErrors() throws {
        var file = SafeTensorsFile(metadata: ["k": "v"])
        file.tensors["w"] = StoredTensor(Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6]))
        file.tensors["labels"] = StoredTensor(int64: [0, 2], shape: [2])
        let data = try file.encoded()
        let back = try SafeTensorsFile.decode(data)
        XCTAssertEqual(back.metadata, ["k": "v"])
        XCTAssertEqual(back["w"]?.tensor, Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6]))
        XCTAssertEqual(back["labels"]?.integers, [0, 2])
        XCTAssertThrowsError(try SafeTensorsFile.decode(data.prefix(data.count - 4), path: "cut.safetensors")) {
            XCTAssertTrue("\($0)".hasPrefix("cut.safetensors: tensor"), "\($0)")
        }
        XCTAssertThrowsError(try SafeTensorsFile.decode(Data([1, 2, 3]), path: "tiny")) {
            XCTAssertEqual("\($0)", "tiny: shorter than the 8-byte header length")
        }
    }

    /// Files that are not safetensors, or damaged ones, are errors that say so; header numbers that
    /// would overflow are refused, not trapped on.
    func testForeignAndDamagedSafeTensorsAreNamedErrors() throws {
        var file = SafeTensorsFile()
        file.tensors["w"] = StoredTensor(Tensor(shape: [2, 3], data: [1, 2, 3, 4, 5, 6]))
        let data = try file.encoded()
        XCTAssertThrowsError(try SafeTensorsFile.decode(Data("PK\u{3}\u{4} a zip archive, not weights".utf8), path: "z")) {
            XCTAssertEqual("\($0)", "z: not a safetensors file, or a truncated one: its first 8 bytes give a header of 8800140462016121680 bytes, the file has 31 bytes in all")
        }
        XCTAssertThrowsError(try SafeTensorsFile.decode(data.prefix(data.count - 4), path: "cut")) {
            XCTAssertEqual("\($0)", "cut: tensor 'w' ends at byte 24 of the data, but the file holds 20 bytes after its header: the file is truncated")
        }
        func withHeader(_ json: String) -> Data {
            var out = Data()
            withUnsafeBytes(of: UInt64(json.utf8.count).littleEndian) { out.append(contentsOf: $0) }
            return out + Data(json.utf8) + Data(count: 16)
        }
        XCTAssertThrowsError(try SafeTensorsFile.decode(withHeader(#"{"w":{"dtype":"F32","shape":[4611686018427387904,8],"data_offsets":[0,16]}}"#), path: "h")) {
            XCTAssertEqual("\($0)", "h: tensor 'w' has an impossible shape [4611686018427387904, 8]")
        }
        XCTAssertThrowsError(try SafeTensorsFile.decode(withHeader(#"{"w":{"dtype":"F32","shape":[-2,-2],"data_offsets":[0,16]}}"#), path: "n")) {
            XCTAssertEqual("\($0)", "n: tensor 'w' has an impossible shape [-2, -2]")
        }
    }

    func testFirstNonFiniteValueNamesTensorAndElement() {
        var file = SafeTensorsFile()
        file.tensors["a"] = StoredTensor(Tensor(shape: [3], data: [1, 2, 3]))
        file.tensors["b"] = StoredTensor(Tensor(shape: [3], data: [0, .infinity, .nan]))
        file.tensors["steps"] = StoredTensor(int64: [7], shape: [1])
        XCTAssertEqual(file.firstNonFiniteValue()?.tensor, "b")
        XCTAssertEqual(file.firstNonFiniteValue()?.index, 1)
        file.tensors["b"] = StoredTensor(Tensor(shape: [3], data: [0, 1, 2]))
        XCTAssertNil(file.firstNonFiniteValue())
    }
}
