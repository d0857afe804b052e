import Foundation

/// Float32 vectors as base64 text of their little-endian bytes: compact in a JSON journal and
/// exact (every bit survives), unlike decimal text of a chosen precision.
public enum PackedFloats {
    public static func encode(_ values: [Float]) -> String {
        values.map { $0.bitPattern.littleEndian }.withUnsafeBufferPointer { Data(buffer: $0) }.base64EncodedString()
    }

    /// nil when the text is not base64 of a whole number of float32 values.
    public static func decode(_ text: String) -> [Float]? {
        guard let data = Data(base64Encoded: text), data.count % 4 == 0 else { return nil }
        return data.withUnsafeBytes { raw in
            (0..<(data.count / 4)).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
        }
    }
}
