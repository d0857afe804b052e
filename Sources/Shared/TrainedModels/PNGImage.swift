import Foundation
import Tensor

/// An 8-bit RGB image and its PNG encoding, written directly (no OpenCV or zlib, so `coordinator
/// report` needs no image library): each scanline takes the PNG filter that leaves the smallest sum
/// of absolute differences (the heuristic libpng uses), and the filtered bytes go through
/// `ZlibStream`. Reports embed these images inline, so their size is the report's size.
public struct PNGImage: Equatable, Sendable {
    public var width: Int
    public var height: Int
    /// Row-major RGB, 3 bytes per pixel.
    public var rgb: [UInt8]

    public init(width: Int, height: Int, rgb: [UInt8]) {
        precondition(rgb.count == width * height * 3, "RGB needs width x height x 3 bytes")
        self.width = width
        self.height = height
        self.rgb = rgb
    }

    /// Nearest-neighbour enlargement by an integer factor (pixels stay visible as squares).
    public func scaled(by factor: Int) -> PNGImage {
        let w = width * factor, h = height * factor
        var out = [UInt8](repeating: 0, count: w * h * 3)
        for y in 0..<h {
            for x in 0..<w {
                let s = ((y / factor) * width + x / factor) * 3, d = (y * w + x) * 3
                out[d] = rgb[s]; out[d + 1] = rgb[s + 1]; out[d + 2] = rgb[s + 2]
            }
        }
        return PNGImage(width: w, height: h, rgb: out)
    }

    public var pngData: Data {
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header = [UInt8]()
        header += Self.bigEndian(UInt32(width)) + Self.bigEndian(UInt32(height))
        header += [8, 2, 0, 0, 0]   // 8-bit, truecolour, deflate, adaptive filtering, no interlace
        png += Self.chunk("IHDR", header)
        png += Self.chunk("IDAT", ZlibStream.compressed(filteredScanlines()))
        png += Self.chunk("IEND", [])
        return Data(png)
    }

    public func write(path: String) throws {
        do { try pngData.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw FileError(path: path, problem: "cannot write the image: \(error.localizedDescription)")
        }
    }

    /// Each row as its filter type byte and the filtered bytes (PNG specification, section 9):
    /// none, Sub, Up, Average or Paeth, whichever has the smallest sum of |byte as Int8|.
    func filteredScanlines() -> [UInt8] {
        let stride = width * 3, bpp = 3
        var out = [UInt8]()
        out.reserveCapacity(height * (1 + stride))
        var candidates = [[UInt8]](repeating: [UInt8](repeating: 0, count: stride), count: 5)
        for y in 0..<height {
            let row = y * stride, above = (y - 1) * stride
            for x in 0..<stride {
                let value = rgb[row + x]
                let a = x >= bpp ? rgb[row + x - bpp] : 0
                let b = y > 0 ? rgb[above + x] : 0
                let c = x >= bpp && y > 0 ? rgb[above + x - bpp] : 0
                candidates[0][x] = value
                candidates[1][x] = value &- a
                candidates[2][x] = value &- b
                candidates[3][x] = value &- UInt8((Int(a) + Int(b)) / 2)
                candidates[4][x] = value &- Self.paeth(a, b, c)
            }
            let costs = candidates.map { $0.reduce(0) { $0 + abs(Int(Int8(bitPattern: $1))) } }
            let chosen = costs.indices.min { costs[$0] < costs[$1] }!
            out.append(UInt8(chosen))
            out += candidates[chosen]
        }
        return out
    }

    /// The Paeth predictor: whichever of left, above and upper-left is nearest to left + above - upper-left.
    static func paeth(_ a: UInt8, _ b: UInt8, _ c: UInt8) -> UInt8 {
        let p = Int(a) + Int(b) - Int(c)
        let pa = abs(p - Int(a)), pb = abs(p - Int(b)), pc = abs(p - Int(c))
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c
    }

    static func chunk(_ type: String, _ body: [UInt8]) -> [UInt8] {
        let typed = Array(type.utf8) + body
        return bigEndian(UInt32(body.count)) + typed + bigEndian(crc32(typed))
    }

    static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] { ZlibStream.bigEndian(v) }
}

/// The pictures of an Explanation: the composed input as a colour image, and heat maps over its grey version.
public enum ExplanationImages {
    /// The composed input (BGR 0...255 CHW) as RGB.
    public static func input(_ e: Explanation) -> PNGImage {
        let n = e.side * e.side
        var rgb = [UInt8](repeating: 0, count: n * 3)
        for i in 0..<n {
            for (out, ch) in [(0, 2), (1, 1), (2, 0)] where ch < e.channels {
                rgb[i * 3 + out] = UInt8(max(0, min(255, e.input[ch * n + i].rounded())))
            }
        }
        return PNGImage(width: e.side, height: e.side, rgb: rgb)
    }

    /// `values` [side * side] scaled to 0...1 (by its maximum, or from its minimum to its maximum
    /// with `stretch`, for maps such as attention whose values sit in a narrow band), as a heat colour
    /// (black-red-yellow-white) over the input's grey level (35% grey, 65% heat).
    public static func overlay(_ e: Explanation, values: [Float], stretch: Bool = false) -> PNGImage {
        let n = e.side * e.side
        let grey = (0..<n).map { i in (0..<e.channels).reduce(Float(0)) { $0 + e.input[$1 * n + i] / Float(e.channels) } }
        return heat(values, over: grey, side: e.side, stretch: stretch)
    }

    /// `values` [side * side] as heat over a grey image (0...255) of the same size: 35% grey, 65% heat.
    static func heat(_ values: [Float], over grey: [Float], side: Int, stretch: Bool) -> PNGImage {
        let n = side * side
        precondition(values.count == n && grey.count == n, "values and grey image of \(side) x \(side)")
        let low = stretch ? (values.min() ?? 0) : 0
        let top = max((values.max() ?? 0) - low, .leastNormalMagnitude)
        var rgb = [UInt8](repeating: 0, count: n * 3)
        for i in 0..<n {
            let heat = heatColour((values[i] - low) / top)
            for k in 0..<3 { rgb[i * 3 + k] = UInt8(max(0, min(255, (0.35 * grey[i] + 0.65 * heat[k]).rounded()))) }
        }
        return PNGImage(width: side, height: side, rgb: rgb)
    }

    /// t in 0...1 -> RGB 0...255: black, red, yellow, white.
    static func heatColour(_ t: Float) -> [Float] {
        let v = max(0, min(1, t)) * 3
        return [min(1, v), max(0, min(1, v - 1)), max(0, min(1, v - 2))].map { $0 * 255 }
    }
}
