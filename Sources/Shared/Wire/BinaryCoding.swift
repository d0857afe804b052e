import Foundation

/// Little-endian writer for message payloads: fixed-width integers, floats by bit pattern (so
/// logits arrive bit-identical), length-prefixed strings and arrays.
public struct BinaryWriter {
    public private(set) var bytes: [UInt8] = []
    public init() {}

    public mutating func write<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
    public mutating func write(_ value: Int) { write(Int64(value)) }
    public mutating func write(_ value: Bool) { write(UInt8(value ? 1 : 0)) }
    public mutating func write(_ value: Double) { write(value.bitPattern) }
    public mutating func write(_ value: Float) { write(value.bitPattern) }
    public mutating func write(_ value: String) { write(bytes: Array(value.utf8)) }
    public mutating func write(bytes value: [UInt8]) {
        write(UInt64(value.count))
        bytes.append(contentsOf: value)
    }
    public mutating func write(floats value: [Float]) {
        write(UInt64(value.count))
        #if _endian(little)
        // Bit patterns in little-endian order, as the element loop writes them, in one copy
        // (a checkpoint is millions of values).
        value.withUnsafeBytes { bytes.append(contentsOf: $0) }
        #else
        for v in value { write(v) }
        #endif
    }
    public mutating func write(ints value: [Int]) {
        write(UInt64(value.count))
        for v in value { write(Int64(v)) }
    }
    public mutating func write(words value: [UInt64]) {
        write(UInt64(value.count))
        for v in value { write(v) }
    }
}

/// Reads what `BinaryWriter` wrote; every read checks the remaining length, so a truncated or
/// corrupt payload is an error and never a crash.
public struct BinaryReader {
    private let bytes: [UInt8]
    public private(set) var offset: Int

    public init(_ bytes: [UInt8], offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    public var isAtEnd: Bool { offset == bytes.count }

    private mutating func take(_ n: Int) throws -> ArraySlice<UInt8> {
        guard n >= 0, bytes.count - offset >= n else {
            throw ClusterError.malformedMessage("payload ends early (need \(n) bytes at offset \(offset) of \(bytes.count))")
        }
        defer { offset += n }
        return bytes[offset..<offset + n]
    }

    public mutating func read<T: FixedWidthInteger>(_: T.Type) throws -> T {
        let slice = try take(MemoryLayout<T>.size)
        var value: T = 0
        withUnsafeMutableBytes(of: &value) { $0.copyBytes(from: slice) }
        return T(littleEndian: value)
    }
    public mutating func readInt() throws -> Int { Int(try read(Int64.self)) }
    public mutating func readBool() throws -> Bool { try read(UInt8.self) != 0 }
    public mutating func readDouble() throws -> Double { Double(bitPattern: try read(UInt64.self)) }
    public mutating func readFloat() throws -> Float { Float(bitPattern: try read(UInt32.self)) }
    private mutating func readCount(elementSize: Int) throws -> Int {
        let n = try read(UInt64.self)
        guard n <= UInt64(bytes.count - offset) / UInt64(max(1, elementSize)) else {
            throw ClusterError.malformedMessage("array of \(n) elements does not fit in the payload")
        }
        return Int(n)
    }
    public mutating func readBytes() throws -> [UInt8] { Array(try take(try readCount(elementSize: 1))) }
    public mutating func readString() throws -> String {
        let raw = try readBytes()
        guard let s = String(bytes: raw, encoding: .utf8) else { throw ClusterError.malformedMessage("string is not UTF-8") }
        return s
    }
    public mutating func readFloats() throws -> [Float] {
        let n = try readCount(elementSize: 4)
        #if _endian(little)
        let slice = try take(4 * n)
        return [Float](unsafeUninitializedCapacity: n) { buffer, count in
            slice.withUnsafeBytes { UnsafeMutableRawBufferPointer(buffer).copyMemory(from: $0) }
            count = n
        }
        #else
        return try (0..<n).map { _ in try readFloat() }
        #endif
    }
    public mutating func readInts() throws -> [Int] {
        let n = try readCount(elementSize: 8)
        return try (0..<n).map { _ in try readInt() }
    }
    public mutating func readWords() throws -> [UInt64] {
        let n = try readCount(elementSize: 8)
        return try (0..<n).map { _ in try read(UInt64.self) }
    }
}
