/// A zlib stream (RFC 1950) around one deflate block (RFC 1951), its matches found greedily by LZ77
/// over hash chains, its symbols written with Huffman codes built for them (a dynamic block) or with
/// the fixed codes, whichever is shorter. Written here so reports and explanation images need no
/// zlib library. Deterministic: the same bytes always give the same stream.
enum ZlibStream {
    /// `data` compressed. Any decoder of zlib streams (libpng, Python's zlib, browsers) reads it.
    static func compressed(_ data: [UInt8]) -> [UInt8] {
        var tokens: [Token] = []
        forEachToken(data) { tokens.append($0) }
        let fixed = block(tokens, dynamic: false), dynamic = block(tokens, dynamic: true)
        // CMF 0x78: deflate with a 32 KiB window; FLG 0x5E: "fast" level, no dictionary, and
        // (CMF * 256 + FLG) divisible by 31 as the header check requires.
        return [0x78, 0x5E] + (dynamic.count < fixed.count ? dynamic : fixed) + bigEndian(adler32(data))
    }

    /// The tokens as the only (final) block: with the fixed codes (BTYPE 01, RFC 1951 section 3.2.6)
    /// or with codes built from the tokens' own frequencies (BTYPE 10, section 3.2.7).
    static func block(_ tokens: [Token], dynamic: Bool) -> [UInt8] {
        var bits = BitWriter()
        bits.write(1, count: 1)   // BFINAL
        let literals: HuffmanCode, distances: HuffmanCode
        if dynamic {
            var literalCounts = [Int](repeating: 0, count: 286), distanceCounts = [Int](repeating: 0, count: 30)
            literalCounts[256] = 1
            for token in tokens {
                switch token {
                case .literal(let byte): literalCounts[Int(byte)] += 1
                case .match(let length, let distance):
                    literalCounts[257 + lengthCode(length)] += 1
                    distanceCounts[distanceCode(distance)] += 1
                }
            }
            literals = HuffmanCode(counts: literalCounts, limit: 15)
            distances = HuffmanCode(counts: distanceCounts, limit: 15)
            bits.write(2, count: 2)
            writeCodeLengths(literals: literals.lengths, distances: distances.lengths, &bits)
        } else {
            literals = HuffmanCode(lengths: [Int](repeating: 8, count: 144) + [Int](repeating: 9, count: 112)
                                   + [Int](repeating: 7, count: 24) + [Int](repeating: 8, count: 8))
            distances = HuffmanCode(lengths: [Int](repeating: 5, count: 30))
            bits.write(1, count: 2)
        }
        for token in tokens {
            switch token {
            case .literal(let byte):
                literals.write(Int(byte), &bits)
            case .match(let length, let distance):
                let l = lengthCode(length), d = distanceCode(distance)
                literals.write(257 + l, &bits)
                bits.write(UInt32(length - lengthBase[l]), count: lengthExtraBits[l])
                distances.write(d, &bits)
                bits.write(UInt32(distance - distanceBase[d]), count: distanceExtraBits[d])
            }
        }
        literals.write(256, &bits)   // end of block
        return bits.finished()
    }

    /// A dynamic block's code description (RFC 1951, section 3.2.7): HLIT, HDIST, HCLEN, the code
    /// length code's lengths in the standard order, then both codes' lengths run-length coded
    /// (16: repeat the previous 3-6 times; 17: 3-10 zeros; 18: 11-138 zeros).
    static func writeCodeLengths(literals: [Int], distances: [Int], _ bits: inout BitWriter) {
        let literalCount = max(257, (literals.lastIndex { $0 > 0 } ?? 0) + 1)
        let distanceCount = max(1, (distances.lastIndex { $0 > 0 } ?? 0) + 1)
        let all = Array(literals.prefix(literalCount)) + Array(distances.prefix(distanceCount))
        var runs: [(symbol: Int, extra: UInt32, extraBits: Int)] = []
        var i = 0
        while i < all.count {
            var run = 1
            while i + run < all.count, all[i + run] == all[i] { run += 1 }
            if all[i] == 0, run >= 11 {
                run = min(run, 138); runs.append((18, UInt32(run - 11), 7))
            } else if all[i] == 0, run >= 3 {
                runs.append((17, UInt32(run - 3), 3))
            } else if all[i] != 0, run >= 4 {
                run = min(run, 7); runs.append((all[i], 0, 0)); runs.append((16, UInt32(run - 4), 2))
            } else {
                run = 1; runs.append((all[i], 0, 0))
            }
            i += run
        }
        var counts = [Int](repeating: 0, count: 19)
        for r in runs { counts[r.symbol] += 1 }
        let lengthCode = HuffmanCode(counts: counts, limit: 7)
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        let sent = max(4, (order.lastIndex { lengthCode.lengths[$0] > 0 } ?? 0) + 1)
        bits.write(UInt32(literalCount - 257), count: 5)
        bits.write(UInt32(distanceCount - 1), count: 5)
        bits.write(UInt32(sent - 4), count: 4)
        for symbol in order.prefix(sent) { bits.write(UInt32(lengthCode.lengths[symbol]), count: 3) }
        for r in runs {
            lengthCode.write(r.symbol, &bits)
            bits.write(r.extra, count: r.extraBits)
        }
    }

    static func lengthCode(_ length: Int) -> Int { lengthBase.lastIndex { $0 <= length }! }
    static func distanceCode(_ distance: Int) -> Int { distanceBase.lastIndex { $0 <= distance }! }

    /// Adler-32 (RFC 1950, section 8): the zlib stream's checksum of the uncompressed bytes.
    static func adler32(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data { a = (a + UInt32(byte)) % 65_521; b = (b + a) % 65_521 }
        return (b << 16) | a
    }

    // RFC 1951, section 3.2.5: lengths 3...258 and distances 1...32768 as a code plus extra bits.
    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtraBits = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
                               2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtraBits = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    static func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
}
