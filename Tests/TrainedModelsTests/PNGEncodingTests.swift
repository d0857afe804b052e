import Dataset
import Foundation
import Preprocessing
import XCTest
@testable import TrainedModels

/// PNGImage's encoder against an independent decoder: OpenCV's PNG reader (libpng over zlib's
/// inflate) must give back every pixel, for images that exercise each part of the stream.
final class PNGEncodingTests: XCTestCase {
    /// Decodes with OpenCV and compares with the RGB the image holds (OpenCV gives BGR).
    func assertRoundTrip(_ image: PNGImage, _ what: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let decoded = try XCTUnwrap(Image8.decodeColor(image.pngData), "OpenCV cannot decode the \(what) PNG", file: file, line: line)
        XCTAssertEqual(decoded.rows, image.height, what, file: file, line: line)
        XCTAssertEqual(decoded.cols, image.width, what, file: file, line: line)
        var bgr = image.rgb
        for p in 0..<(image.width * image.height) { bgr.swapAt(p * 3, p * 3 + 2) }
        XCTAssertTrue(decoded.pixels == bgr, "\(what): decoded pixels differ", file: file, line: line)
    }

    func testOpenCVDecodesEveryPixelBack() throws {
        var rng = SystemRandomNumberGenerator()
        // Noise: literals only (nothing repeats), every filter about as good as another.
        let noise = PNGImage(width: 37, height: 23, rgb: (0..<(37 * 23 * 3)).map { _ in UInt8.random(in: 0...255, using: &rng) })
        try assertRoundTrip(noise, "noise")
        // A smooth gradient: Sub / Up / Average / Paeth leave small differences.
        let gradient = PNGImage(width: 64, height: 48, rgb: (0..<(64 * 48)).flatMap { (i: Int) -> [UInt8] in
            let x = i % 64, y = i / 64
            return [UInt8(x * 4), UInt8(y * 5), UInt8((x + y) * 2)]
        })
        try assertRoundTrip(gradient, "gradient")
        // One colour over a wide image: matches at the longest length (258) and distance 3.
        let flat = PNGImage(width: 500, height: 3, rgb: [UInt8](repeating: 200, count: 500 * 3 * 3))
        try assertRoundTrip(flat, "flat")
        // An enlarged heat overlay, as reports embed: repeated pixels and repeated rows.
        try assertRoundTrip(noise.scaled(by: 4), "enlarged noise")
        // Far repeats: two copies of 12 KiB of noise 12 KiB apart (distance codes with 13 extra bits).
        let half = (0..<(64 * 64 * 3)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        try assertRoundTrip(PNGImage(width: 64, height: 128, rgb: half + half), "repeated noise")
        try assertRoundTrip(PNGImage(width: 1, height: 1, rgb: [1, 2, 3]), "one pixel")
    }

    func testRepeatsShrinkAndNoiseBarelyGrows() {
        let pixels = (0..<(28 * 28 * 3)).map { UInt8(($0 * 7919) % 251) }
        let enlarged = PNGImage(width: 28, height: 28, rgb: pixels).scaled(by: 4)
        let raw = enlarged.height * (1 + enlarged.width * 3)
        XCTAssertLessThan(enlarged.pngData.count, raw / 4, "a 4x enlargement repeats every pixel and row")
        var rng = SystemRandomNumberGenerator()
        let noise = (0..<30_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        // Fixed codes spend 8 or 9 bits per literal: at most 9/8 of the input plus headers.
        XCTAssertLessThan(ZlibStream.compressed(noise).count, noise.count * 9 / 8 + 20)
    }

    func testStreamHeaderTokensAndChecksum() {
        let stream = ZlibStream.compressed(Array("Wikipedia".utf8))
        XCTAssertEqual((Int(stream[0]) * 256 + Int(stream[1])) % 31, 0, "the zlib header check")
        XCTAssertEqual(Array(stream.suffix(4)), [0x11, 0xE6, 0x03, 0x98], "Adler-32 of 'Wikipedia'")
        // "abcabcabcabc": three literals, then one match of 9 bytes from 3 back.
        var tokens: [ZlibStream.Token] = []
        ZlibStream.forEachToken(Array("abcabcabcabc".utf8)) { tokens.append($0) }
        XCTAssertEqual(tokens, [.literal(97), .literal(98), .literal(99), .match(length: 9, distance: 3)])
        // Four letters in a pseudo-random order (short matches only): codes of their own (BTYPE 10)
        // beat the fixed ones by a quarter and more; Python's zlib.compress(data, 9) writes 1,321
        // bytes for these 4,000 (level 1: 1,380).
        var state: UInt32 = 1
        let letters = (0..<4000).map { _ -> UInt8 in
            state = state &* 1_664_525 &+ 1_013_904_223
            return Array("acgt".utf8)[Int(state >> 30)]
        }
        let dynamic = ZlibStream.compressed(letters)
        XCTAssertEqual(dynamic[2] & 0b111, 0b101, "one final block with dynamic codes")
        XCTAssertLessThan(dynamic.count, ZlibStream.block(tokensOf(letters), dynamic: false).count * 3 / 4)
        XCTAssertLessThan(dynamic.count, 1_321 * 105 / 100)
        // The fixed-code stream of the empty input, as zlib.compress(b"", 1) writes its deflate part: 03 00.
        XCTAssertEqual(Array(ZlibStream.compressed([]).dropFirst(2).dropLast(4)), [0x03, 0x00])
    }

    func tokensOf(_ data: [UInt8]) -> [ZlibStream.Token] {
        var tokens: [ZlibStream.Token] = []
        ZlibStream.forEachToken(data) { tokens.append($0) }
        return tokens
    }

    /// Canonical codes from lengths, RFC 1951 section 3.2.2's example: lengths (3, 3, 3, 3, 3, 2, 4, 4)
    /// for A-H give codes 010, 011, 100, 101, 110, 00, 1110, 1111.
    func testCanonicalCodesAndLengthLimit() {
        let code = ZlibStream.HuffmanCode(lengths: [3, 3, 3, 3, 3, 2, 4, 4])
        XCTAssertEqual(code.codes, [0b010, 0b011, 0b100, 0b101, 0b110, 0b00, 0b1110, 0b1111])
        // Fibonacci counts make Huffman's tree as deep as it gets; the limit flattens it, and the
        // lengths still satisfy Kraft's equality (a complete code).
        var fibonacci = [1, 1]
        while fibonacci.count < 25 { fibonacci.append(fibonacci[fibonacci.count - 1] + fibonacci[fibonacci.count - 2]) }
        XCTAssertEqual(ZlibStream.HuffmanCode.huffmanLengths(fibonacci).max(), 24)
        let limited = ZlibStream.HuffmanCode(counts: fibonacci, limit: 15)
        XCTAssertLessThanOrEqual(limited.lengths.max()!, 15)
        XCTAssertEqual(limited.lengths.reduce(0.0) { $0 + pow(2.0, -Double($1)) }, 1.0)
        // One used symbol still gets a one-bit code beside an unused one, as zlib writes it.
        XCTAssertEqual(ZlibStream.HuffmanCode(counts: [0, 0, 5], limit: 15).lengths, [1, 0, 1])
    }

    func testPaethPredictorAndFilterChoice() {
        // PNG specification 9.4: the nearest of a, b, c to a + b - c, ties in the order a, b, c.
        XCTAssertEqual(PNGImage.paeth(10, 20, 10), 20)
        XCTAssertEqual(PNGImage.paeth(20, 10, 10), 20)
        XCTAssertEqual(PNGImage.paeth(10, 10, 10), 10)
        XCTAssertEqual(PNGImage.paeth(0, 100, 90), 0)
        // A horizontal ramp is cheapest as Sub (each byte minus the pixel to its left).
        let ramp = PNGImage(width: 8, height: 2, rgb: (0..<16).flatMap { (i: Int) -> [UInt8] in [UInt8(i % 8 * 30), 0, 0] })
        let rows = ramp.filteredScanlines()
        XCTAssertEqual(rows[0], 1, "Sub for the first row")
        XCTAssertEqual(rows[25], 2, "Up for the second row: it equals the first")
    }
}
