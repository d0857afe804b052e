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

    /// A prefix code as deflate defines it (RFC 1951, section 3.2.2): canonical codes from lengths.
    struct HuffmanCode {
        let lengths: [Int]
        let codes: [UInt32]

        init(lengths: [Int]) {
            self.lengths = lengths
            let longest = lengths.max() ?? 0
            var perLength = [Int](repeating: 0, count: longest + 1)
            for l in lengths where l > 0 { perLength[l] += 1 }
            var next = [UInt32](repeating: 0, count: longest + 2)
            var code: UInt32 = 0
            for l in stride(from: 1, through: longest, by: 1) {
                code = (code + UInt32(perLength[l - 1])) << 1
                next[l] = code
            }
            var codes = [UInt32](repeating: 0, count: lengths.count)
            for (symbol, l) in lengths.enumerated() where l > 0 {
                codes[symbol] = next[l]
                next[l] += 1
            }
            self.codes = codes
        }

        /// Huffman's code for symbols seen `counts` times, no code longer than `limit` bits: while the
        /// longest is too long, counts are halved (each used symbol keeps at least 1), flattening the
        /// tree. At least two symbols get codes (one more, unused, where only one is used), as zlib
        /// does, so every decoder accepts the code.
        init(counts: [Int], limit: Int) {
            var weights = counts
            for s in weights.indices where weights.filter({ $0 > 0 }).count < 2 && weights[s] == 0 { weights[s] = 1 }
            while true {
                let lengths = Self.huffmanLengths(weights)
                if (lengths.max() ?? 0) <= limit { self.init(lengths: lengths); return }
                weights = weights.map { $0 == 0 ? 0 : max(1, $0 / 2) }
            }
        }

        /// Code lengths of Huffman's construction; ties broken by creation order, so it is deterministic.
        static func huffmanLengths(_ weights: [Int]) -> [Int] {
            // Nodes: leaves first (symbols with weight), then merged nodes; parent links give depths.
            var nodes = weights.enumerated().filter { $0.element > 0 }.map { (weight: $0.element, symbol: $0.offset, parent: -1) }
            var open = Array(nodes.indices)
            while open.count > 1 {
                open.sort { nodes[$0].weight != nodes[$1].weight ? nodes[$0].weight < nodes[$1].weight : $0 < $1 }
                let a = open.removeFirst(), b = open.removeFirst()
                nodes.append((nodes[a].weight + nodes[b].weight, -1, -1))
                nodes[a].parent = nodes.count - 1
                nodes[b].parent = nodes.count - 1
                open.append(nodes.count - 1)
            }
            var lengths = [Int](repeating: 0, count: weights.count)
            for node in nodes where node.symbol >= 0 {
                var depth = 0, at = node.parent
                while at >= 0 { depth += 1; at = nodes[at].parent }
                lengths[node.symbol] = depth
            }
            return lengths
        }

        func write(_ symbol: Int, _ bits: inout BitWriter) {
            bits.writeHuffman(code: codes[symbol], length: lengths[symbol])
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

        /// The bytes, the last one padded with zero bits.
        mutating func finished() -> [UInt8] {
            if filled > 0 { bytes.append(UInt8(buffer & 0xFF)) }
            buffer = 0
            filled = 0
            return bytes
        }
    }
}
