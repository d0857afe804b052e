/// Deflate's Huffman half: prefix codes from symbol counts, and the bit order codes are written in.
extension ZlibStream {
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
