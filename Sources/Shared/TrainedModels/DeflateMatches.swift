/// Deflate's LZ77 half: the bytes as literals and back-references (RFC 1951, section 3.2.5).
extension ZlibStream {
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
}
