import Dataset
import XCTest

/// Composition checked against hand-worked positions: an image whose every pixel encodes its own
/// row, column and channel shows exactly which source pixel lands where.
final class InputComposerTests: XCTestCase {
    /// Pixel (r, c, channel) holds (r * 28 + c + 60 * channel) % 256: distinct values along any
    /// short run, so a wrong row, column or channel shows up as a wrong value.
    static let image: Image8 = {
        var pixels = [UInt8](repeating: 0, count: 28 * 28 * 3)
        for r in 0..<28 { for c in 0..<28 { for ch in 0..<3 { pixels[(r * 28 + c) * 3 + ch] = UInt8((r * 28 + c + 60 * ch) % 256) } } }
        return Image8(rows: 28, cols: 28, channels: 3, pixels: pixels)
    }()

    static func value(row r: Int, col c: Int, channel ch: Int) -> Float { Float((r * 28 + c + 60 * ch) % 256) }

    static let landmarks = FaceLandmarks(points: [
        .init(x: 10.9, y: 3.2),   // left eye: clamped to (10, 7)
        .init(x: 21.99, y: 14.5), // right eye: (21, 14)
        .init(x: 0, y: 0),        // nose: unused
        .init(x: 7.0, y: 28.0),   // left mouth: (7, 21)
        .init(x: -5.9, y: 12.999),// right mouth: (7, 12)
    ])

    func testReferenceCropIndexesRowsWithX() {
        let out = InputComposer(crop: .reference).compose(Self.image, landmarks: Self.landmarks)
        XCTAssertEqual(out.count, 3 * 28 * 28)
        func at(_ ch: Int, _ r: Int, _ c: Int) -> Float { out[(ch * 28 + r) * 28 + c] }
        // Top-left tile: left eye (x 10, y 7) -> rows 3..<17, columns 0..<14.
        XCTAssertEqual(at(0, 0, 0), Self.value(row: 3, col: 0, channel: 0))
        XCTAssertEqual(at(1, 2, 5), Self.value(row: 5, col: 5, channel: 1))
        XCTAssertEqual(at(2, 13, 13), Self.value(row: 16, col: 13, channel: 2))
        // Top-right tile: right eye (21, 14) -> rows 14..<28, columns 7..<21.
        XCTAssertEqual(at(0, 0, 14), Self.value(row: 14, col: 7, channel: 0))
        XCTAssertEqual(at(2, 13, 27), Self.value(row: 27, col: 20, channel: 2))
        // Bottom-left: left mouth (7, 21) -> rows 0..<14, columns 14..<28.
        XCTAssertEqual(at(1, 14, 0), Self.value(row: 0, col: 14, channel: 1))
        XCTAssertEqual(at(1, 27, 13), Self.value(row: 13, col: 27, channel: 1))
        // Bottom-right: right mouth (7, 12) -> rows 0..<14, columns 5..<19.
        XCTAssertEqual(at(0, 14, 14), Self.value(row: 0, col: 5, channel: 0))
        XCTAssertEqual(at(2, 20, 21), Self.value(row: 6, col: 12, channel: 2))
    }

    func testGeometricCropIndexesRowsWithY() {
        let out = InputComposer(crop: .geometric).compose(Self.image, landmarks: Self.landmarks)
        func at(_ ch: Int, _ r: Int, _ c: Int) -> Float { out[(ch * 28 + r) * 28 + c] }
        // Left eye (x 10, y 7) -> rows 0..<14, columns 3..<17.
        XCTAssertEqual(at(0, 0, 0), Self.value(row: 0, col: 3, channel: 0))
        XCTAssertEqual(at(1, 2, 5), Self.value(row: 2, col: 8, channel: 1))
        // Right mouth (7, 12) -> rows 5..<19, columns 0..<14.
        XCTAssertEqual(at(2, 27, 27), Self.value(row: 18, col: 13, channel: 2))
    }

    func testAppendsToExistingBuffer() {
        var out: [Float] = [42]
        InputComposer().compose(Self.image, landmarks: .fallback, into: &out)
        XCTAssertEqual(out.count, 1 + 2352)
        XCTAssertEqual(out[0], 42)
        XCTAssertEqual(Array(out[1...]), InputComposer().compose(Self.image, landmarks: .fallback))
    }
}
