import Foundation

/// One tensor as stored in a safetensors file (dtype, shape, raw little-endian bytes).
public struct StoredTensor: Sendable {
    public enum DType: String, Sendable { case f32 = "F32", f64 = "F64", i64 = "I64", i32 = "I32", u8 = "U8"
        /// Bytes per element.
        public var width: Int { switch self { case .f64, .i64: return 8; case .f32, .i32: return 4; case .u8: return 1 } }
    }
    public let dtype: DType
    public let shape: [Int]
    public let bytes: Data

    public var elementCount: Int { shape.reduce(1, *) }

    /// The values as Float (F64 and integer tensors are converted).
    public var floats: [Float] {
        switch dtype {
        case .f32: return bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
        case .f64: return doubles.map { Float($0) }
        case .i64, .i32, .u8: return integers.map { Float($0) }
        }
    }

    public var doubles: [Double] {
        switch dtype {
        case .f64: return bytes.withUnsafeBytes { Array($0.bindMemory(to: Double.self)) }
        case .f32: return floats.map { Double($0) }
        case .i64, .i32, .u8: return integers.map { Double($0) }
        }
    }

    public var integers: [Int] {
        switch dtype {
        case .i64: return bytes.withUnsafeBytes { $0.bindMemory(to: Int64.self).map { Int($0) } }
        case .i32: return bytes.withUnsafeBytes { $0.bindMemory(to: Int32.self).map { Int($0) } }
        case .u8: return bytes.map { Int($0) }
        case .f32, .f64: return doubles.map { Int($0) }
        }
    }

    public var tensor: Tensor { Tensor(shape: shape, data: floats) }

    public init(dtype: DType, shape: [Int], bytes: Data) {
        self.dtype = dtype
        self.shape = shape
        self.bytes = bytes
    }

    public init(_ tensor: Tensor) {
        dtype = .f32
        shape = tensor.shape
        bytes = tensor.data.withUnsafeBufferPointer { Data(buffer: $0) }
    }

    public init(int64 values: [Int64], shape: [Int]) {
        dtype = .i64
        self.shape = shape
        bytes = values.withUnsafeBufferPointer { Data(buffer: $0) }
    }
}

/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
/// mapping names to dtype / shape / byte offsets (plus an optional `__metadata__` string map), then
/// the raw data. Files written here load in PyTorch with `safetensors.torch.load_file`.
public struct SafeTensorsFile: Sendable {
    public var metadata: [String: String]
    public var tensors: [String: StoredTensor]

    public init(metadata: [String: String] = [:], tensors: [String: StoredTensor] = [:]) {
        self.metadata = metadata
        self.tensors = tensors
    }

    public subscript(name: String) -> StoredTensor? { tensors[name] }

    public static func read(path: String) throws -> SafeTensorsFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FileError(path: path, problem: "cannot read the file (missing or unreadable)")
        }
        return try decode(data, path: path)
    }

    public static func decode(_ data: Data, path: String = "<memory>") throws -> SafeTensorsFile {
        guard data.count >= 8 else { throw FileError(path: path, problem: "shorter than the 8-byte header length") }
        let headerLength = data.prefix(8).withUnsafeBytes { raw -> UInt64 in
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(raw[i]) << (8 * UInt64(i)) }
            return v
        }
        guard headerLength <= UInt64(data.count - 8) else {
            throw FileError(path: path, problem: "not a safetensors file, or a truncated one: its first 8 bytes give a header of "
                                   + "\(headerLength) bytes, the file has \(data.count) bytes in all")
        }
        let headerEnd = 8 + Int(headerLength)
        let headerData = data.subdata(in: 8..<headerEnd)
        guard let json = try? JSONSerialization.jsonObject(with: headerData) as? [String: Any] else {
            throw FileError(path: path, problem: "header is not a JSON object")
        }
        var file = SafeTensorsFile()
        let body = data.count - headerEnd
        for (name, value) in json {
            if name == "__metadata__" {
                if let m = value as? [String: String] { file.metadata = m }
                continue
            }
            guard let entry = value as? [String: Any],
                  let dtypeName = entry["dtype"] as? String,
                  let shape = entry["shape"] as? [Int],
                  let offsets = entry["data_offsets"] as? [Int], offsets.count == 2 else {
                throw FileError(path: path, problem: "tensor '\(name)' has a malformed header entry")
            }
            guard let dtype = StoredTensor.DType(rawValue: dtypeName) else {
                throw FileError(path: path, problem: "tensor '\(name)' has unsupported dtype \(dtypeName)")
            }
            // A foreign or damaged header may hold any numbers: checked without overflow (a trap).
            var expected = dtype.width
            for d in shape {
                let (product, overflow) = expected.multipliedReportingOverflow(by: d)
                guard d >= 0, !overflow else {
                    throw FileError(path: path, problem: "tensor '\(name)' has an impossible shape \(shape)")
                }
                expected = product
            }
            guard offsets[0] >= 0, offsets[1] >= offsets[0], offsets[1] - offsets[0] == expected else {
                throw FileError(path: path, problem: "tensor '\(name)' has data offsets \(offsets) that do not fit shape \(shape) (\(expected) bytes of \(dtypeName))")
            }
            guard offsets[1] <= body else {
                throw FileError(path: path, problem: "tensor '\(name)' ends at byte \(offsets[1]) of the data, but the file holds "
                                       + "\(body) bytes after its header: the file is truncated")
            }
            let bytes = data.subdata(in: (headerEnd + offsets[0])..<(headerEnd + offsets[1]))
            file.tensors[name] = StoredTensor(dtype: dtype, shape: shape, bytes: bytes)
        }
        return file
    }

    /// The first floating-point tensor (in name order) holding NaN or an infinity, with the element's
    /// index; nil when every F32 / F64 value is finite. Weights loaded for use are checked with it:
    /// a diverged or damaged file would otherwise give NaN probabilities without a word.
    public func firstNonFiniteValue() -> (tensor: String, index: Int)? {
        for name in tensors.keys.sorted() {
            let t = tensors[name]!
            let index: Int?
            switch t.dtype {
            case .f32: index = t.bytes.withUnsafeBytes { raw in
                (0..<t.bytes.count / 4).first { !Float(bitPattern: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)).isFinite } }
            case .f64: index = t.bytes.withUnsafeBytes { raw in
                (0..<t.bytes.count / 8).first { !Double(bitPattern: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self)).isFinite } }
            case .i64, .i32, .u8: index = nil
            }
            if let index { return (name, index) }
        }
        return nil
    }

    /// Serialises with tensors in name order (deterministic bytes for the same content).
    public func encoded() throws -> Data {
        var header: [String: Any] = [:]
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var offset = 0
        let names = tensors.keys.sorted()
        for name in names {
            let t = tensors[name]!
            header[name] = ["dtype": t.dtype.rawValue, "shape": t.shape, "data_offsets": [offset, offset + t.bytes.count]]
            offset += t.bytes.count
        }
        var headerData = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        // Pad the header with spaces so the body starts 8-byte aligned, as the reference writer does.
        while (8 + headerData.count) % 8 != 0 { headerData.append(0x20) }
        var out = Data()
        var length = UInt64(headerData.count).littleEndian
        withUnsafeBytes(of: &length) { out.append(contentsOf: $0) }
        out.append(headerData)
        for name in names { out.append(tensors[name]!.bytes) }
        return out
    }

    /// Writes atomically (temporary file, then rename), so an existing checkpoint is never half-overwritten.
    public func write(path: String) throws {
        let data = try encoded()
        try data.write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
