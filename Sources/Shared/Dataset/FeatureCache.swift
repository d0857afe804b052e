import Foundation

/// A composed dataset in one compact binary file, so the coordinator composes once and workers
/// never re-read PNGs. Layout (all integers little-endian):
///
///     0   8 bytes  magic "HTNFEAT\0"
///     8   u32      format version (1)
///     12  u32      samples
///     16  u32      channels
///     20  u32      image size
///     24  u32      classes
///     28  u32      reserved (0)
///     32  u64      metadata bytes (JSON, inside the payload)
///     40  u64      payload bytes before compression
///     48  u64      payload bytes after compression
///     56  u64      FNV-1a 64 over bytes 0..<56 and the compressed payload
///     64  ...      zstd frame of: metadata JSON, then samples*channels*size*size float32
///
/// The checksum covers the header too, so any flipped byte is caught before decompression.
public enum FeatureCache {
    public static let magic: [UInt8] = Array("HTNFEAT\0".utf8)
    public static let formatVersion: UInt32 = 1
    static let headerSize = 64

    /// Everything but the inputs, as JSON (sorted keys, so equal datasets give equal bytes).
    private struct Metadata: Codable {
        var classNames: [String]
        var samples: [Sample]
        var manifest: DatasetManifest
        var skipped: [SkippedSample]
        /// Absent (not null) when the dataset has none, so such caches keep their bytes.
        var handcrafted: HandcraftedFeatures?
    }

    public static func encode(_ dataset: ComposedDataset) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let metadata = try encoder.encode(Metadata(classNames: dataset.classNames, samples: dataset.samples,
                                                   manifest: dataset.manifest, skipped: dataset.skipped,
                                                   handcrafted: dataset.handcrafted))
        var payload = metadata
        for value in dataset.inputs { payload.appendLittleEndian(value.bitPattern) }
        let compressed = try Zstd.compress(payload)

        var file = Data(magic)
        file.appendLittleEndian(formatVersion)
        for value in [dataset.samples.count, dataset.channels, dataset.imageSize, dataset.classNames.count, 0] {
            file.appendLittleEndian(UInt32(value))
        }
        for value in [metadata.count, payload.count, compressed.count] { file.appendLittleEndian(UInt64(value)) }
        var checksum = FNV1a()
        checksum.update(file)
        checksum.update(compressed)
        file.appendLittleEndian(checksum.value)
        file.append(compressed)
        return file
    }

    /// Decodes a cache; `source` names the file in error messages.
    public static func decode(_ data: Data, source: String) throws -> ComposedDataset {
        let bytes = [UInt8](data)
        func fail(_ problem: String) -> DatasetError { DatasetError(file: source, problem) }
        guard bytes.count >= headerSize else {
            throw fail("truncated feature cache: \(bytes.count) bytes, shorter than the \(headerSize)-byte header")
        }
        guard Array(bytes[0..<8]) == magic else { throw fail("not a feature cache (wrong magic bytes)") }
        let version = UInt32(littleEndianBytes: bytes, at: 8)
        guard version == formatVersion else {
            throw fail("feature cache format version \(version); this build reads version \(formatVersion)")
        }
        let sampleCount = Int(UInt32(littleEndianBytes: bytes, at: 12))
        let channels = Int(UInt32(littleEndianBytes: bytes, at: 16))
        let imageSize = Int(UInt32(littleEndianBytes: bytes, at: 20))
        let classCount = Int(UInt32(littleEndianBytes: bytes, at: 24))
        let metadataSize = UInt64(littleEndianBytes: bytes, at: 32)
        let payloadSize = UInt64(littleEndianBytes: bytes, at: 40)
        let compressedSize = UInt64(littleEndianBytes: bytes, at: 48)
        let storedChecksum = UInt64(littleEndianBytes: bytes, at: 56)

        let available = UInt64(bytes.count - headerSize)
        guard compressedSize <= available else {
            throw fail("truncated feature cache: the header promises \(compressedSize) payload bytes, the file holds \(available)")
        }
        guard compressedSize == available else {
            throw fail("feature cache has \(available - compressedSize) unexpected bytes after the payload")
        }
        var checksum = FNV1a()
        checksum.update(bytes[0..<56])
        checksum.update(bytes[headerSize...])
        guard checksum.value == storedChecksum else {
            throw fail("feature cache is corrupted: checksum mismatch (stored \(String(storedChecksum, radix: 16)), computed \(checksum.hex))")
        }

        // Past the checksum, inconsistencies mean a writer bug rather than damage; still say so clearly.
        let inputCount = sampleCount * channels * imageSize * imageSize
        guard metadataSize <= payloadSize, payloadSize - metadataSize == UInt64(inputCount * 4) else {
            throw fail("feature cache header is inconsistent: \(payloadSize) payload bytes cannot hold \(metadataSize) metadata bytes and \(sampleCount)x\(channels)x\(imageSize)x\(imageSize) floats")
        }
        let payload = try Zstd.decompress(Data(bytes[headerSize...]), expectedSize: Int(payloadSize), file: source)
        let metadata: Metadata
        do {
            metadata = try JSONDecoder().decode(Metadata.self, from: payload.prefix(Int(metadataSize)))
        } catch {
            throw fail("feature cache metadata is not valid: \(error)")
        }
        guard metadata.samples.count == sampleCount, metadata.classNames.count == classCount else {
            throw fail("feature cache header says \(sampleCount) samples and \(classCount) classes; its metadata lists \(metadata.samples.count) and \(metadata.classNames.count)")
        }
        let inputs: [Float] = payload.withUnsafeBytes { raw in
            (0..<inputCount).map { i in
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: Int(metadataSize) + 4 * i, as: UInt32.self)))
            }
        }
        if let h = metadata.handcrafted, h.columns.isEmpty || h.values.count != sampleCount * h.columns.count {
            throw fail("feature cache holds \(h.values.count) handcrafted feature values for \(sampleCount) samples of \(h.columns.count) columns")
        }
        return ComposedDataset(classNames: metadata.classNames, samples: metadata.samples, inputs: inputs,
                               imageSize: imageSize, channels: channels, manifest: metadata.manifest,
                               skipped: metadata.skipped, handcrafted: metadata.handcrafted)
    }

    /// Writes atomically (temporary file, then rename): a reader never sees half a cache. Missing
    /// parent folders are created, as for every other output.
    public static func write(_ dataset: ComposedDataset, to path: String) throws {
        let data = try encode(dataset)
        do {
            let url = URL(fileURLWithPath: path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try data.write(to: url, options: .atomic)
        } catch {
            throw DatasetError(file: path, "cannot write the feature cache: \(error.localizedDescription)")
        }
    }

    public static func read(path: String) throws -> ComposedDataset {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(file: path, "cannot read the feature cache (missing or unreadable)")
        }
        return try decode(data, source: path)
    }
}

extension Data {
    mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}

extension FixedWidthInteger {
    init(littleEndianBytes bytes: [UInt8], at offset: Int) {
        var value: Self = 0
        for i in 0..<(Self.bitWidth / 8) { value |= Self(bytes[offset + i]) << (8 * i) }
        self = value
    }
}
