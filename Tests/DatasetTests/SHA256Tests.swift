import Dataset
import Foundation
import TestSupport
import XCTest

/// SHA-256 against the NIST FIPS 180-4 example vectors (csrc.nist.gov, "SHA256.pdf" and
/// "SHA2_Additional.pdf"); the same digests come from `printf ... | sha256sum`.
final class SHA256Tests: XCTestCase {
    func testNISTVectors() {
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        // 448 bits: the padding needs a second block.
        XCTAssertEqual(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex(Array("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu".utf8)),
                       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
        // One million 'a', fed in uneven pieces.
        var h = SHA256()
        var left = 1_000_000, piece = 1
        while left > 0 {
            let n = min(left, piece)
            h.update([UInt8](repeating: 0x61, count: n))
            left -= n
            piece = piece * 3 % 977 + 1
        }
        XCTAssertEqual(h.finalizeHex(), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testFileDigest() throws {
        let dir = try temporaryDirectory(self)
        let path = dir + "/abc.txt"
        try Data("abc".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertEqual(try SHA256.hex(ofFile: path), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertThrowsError(try SHA256.hex(ofFile: dir + "/missing"))
    }
}
