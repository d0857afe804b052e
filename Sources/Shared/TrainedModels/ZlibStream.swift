/// A zlib stream (RFC 1950) around one deflate block with the fixed Huffman codes (RFC 1951,
/// section 3.2.6), its matches found greedily by LZ77 over hash chains. Written here so reports and
/// explanation images need no zlib: the fixed codes keep the encoder small, and the images it serves
/// (nearest-neighbour enlargements, heat overlays, filtered scanlines) are mostly long repeats, where
/// matches, not the code tables, do the work. Deterministic: the same bytes always give the same stream.
enum ZlibStream {
    /// `data` compressed. Any decoder of zlib streams (libpng, Python's zlib, browsers) reads it.
    static func compressed(_ data: [UInt8]) -> [UInt8] {
        var bits = BitWriter()
        bits.write(1, count: 1)   // BFINAL: the only block
        bits.write(1, count: 2)   // BTYPE 01: fixed Huffman codes
        forEachToken(data) { token in
            switch token {
            case .literal(let byte):
                bits.writeLiteralOrLength(Int(byte))
            case .match(let length, let distance):
                let l = lengthBase.lastIndex { $0 <= length }!
                bits.writeLiteralOrLength(257 + l)
                bits.write(UInt32(length - lengthBase[l]), count: lengthExtraBits[l])
                let d = distanceBase.lastIndex { $0 <= distance }!
                bits.writeHuffman(code: UInt32(d), length: 5)
                bits.write(UInt32(distance - distanceBase[d]), count: distanceExtraBits[d])
            }
        }
        bits.writeLiteralOrLength(256)   // end of block
        // CMF 0x78: deflate with a 32 KiB window; FLG 0x5E: "fast" level, no dictionary, and
        // (CMF * 256 + FLG) divisible by 31 as the header check requires.
        return [0x78, 0x5E] + bits.finished() + bigEndian(adler32(data))
    }

    /// Adler-32 (RFC 1950, section 8): the zlib stream's checksum of the uncompressed bytes.
    static func adler32(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data { a = (a + UInt32(byte)) % 65_521; b = (b + a) % 65_521 }
        return (b << 16) | a
    }

    enum Token: Equatable {
        case literal(UInt8)
        /// Repeat `length` (3...258) bytes from `distance` (1...32768) bytes back.
        case match(length: Int, distance: Int)
    }

    static let window = 32_768, minMatch = 3, maxMatch = 258
    /// How many earlier positions with the same 3-byte hash are tried per position.
    static let chainLimit = 64

    /// The LZ77 parse: at each position the longest match among the last `chainLimit` positions
    /// whose next three bytes hash alike (the nearest wins a tie), else a literal.
    static func forEachToken(_ data: [UInt8], _ body: (Token) -> Void) {
        let n = data.count
        let hashSize = 1 << 15
        var head = [Int](repeating: -1, count: hashSize)
        var previous = [Int](repeating: -1, count: window)
        func hash(_ i: Int) -> Int {
            ((Int(data[i]) << 10) ^ (Int(data[i + 1]) << 5) ^ Int(data[i + 2])) & (hashSize - 1)
        }
        func insert(_ i: Int) {
            guard i + minMatch <= n else { return }
            let h = hash(i)
            previous[i & (window - 1)] = head[h]
            head[h] = i
        }
        var i = 0
        while i < n {
            var bestLength = 0, bestDistance = 0
            if i + minMatch <= n {
                var candidate = head[hash(i)], tries = 0
                let limit = min(maxMatch, n - i)
                while candidate >= 0, i - candidate <= window, tries < chainLimit {
                    var length = 0
                    while length < limit, data[candidate + length] == data[i + length] { length += 1 }
                    if length > bestLength {
                        bestLength = length
                        bestDistance = i - candidate
                        if length == limit { break }
                    }
                    candidate = previous[candidate & (window - 1)]
                    tries += 1
                }
            }
            if bestLength >= minMatch {
                body(.match(length: bestLength, distance: bestDistance))
                for k in i..<(i + bestLength) { insert(k) }
                i += bestLength
            } else {
                body(.literal(data[i]))
                insert(i)
                i += 1
            }
        }
    }

    // RFC 1951, section 3.2.5: lengths 3...258 and distances 1...32768 as a code plus extra bits.
    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtraBits = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
                               2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtraBits = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    static func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

    /// Deflate's bit order: values go least significant bit first, Huffman codes most significant
    /// bit first (RFC 1951, section 3.1.1).
    struct BitWriter {
        private var bytes: [UInt8] = []
        private var buffer: UInt64 = 0
        private var filled = 0

        mutating func write(_ value: UInt32, count: Int) {
            guard count > 0 else { return }
            buffer |= UInt64(value & ((1 << count) - 1)) << filled
            filled += count
            while filled >= 8 {
                bytes.append(UInt8(buffer & 0xFF))
                buffer >>= 8
                filled -= 8
            }
        }

        mutating func writeHuffman(code: UInt32, length: Int) {
            var reversed: UInt32 = 0
            for k in 0..<length where code & (1 << k) != 0 { reversed |= 1 << (length - 1 - k) }
            write(reversed, count: length)
        }

        /// The fixed literal/length code (RFC 1951, section 3.2.6) of symbol 0...287.
        mutating func writeLiteralOrLength(_ symbol: Int) {
            switch symbol {
            case 0...143: writeHuffman(code: UInt32(0x30 + symbol), length: 8)
            case 144...255: writeHuffman(code: UInt32(0x190 + symbol - 144), length: 9)
            case 256...279: writeHuffman(code: UInt32(symbol - 256), length: 7)
            default: writeHuffman(code: UInt32(0xC0 + symbol - 280), length: 8)
            }
        }

        /// The bytes, the last one padded with zero bits.
        mutating func finished() -> [UInt8] {
            if filled > 0 { bytes.append(UInt8(buffer & 0xFF)) }
            buffer = 0
            filled = 0
            return bytes
        }
    }
}
