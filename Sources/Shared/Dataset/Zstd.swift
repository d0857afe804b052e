import CZstd
import Foundation

/// One-shot zstd compression of a whole buffer (the feature cache is a few megabytes at most).
enum Zstd {
    static func compress(_ input: Data, level: Int32 = 9) throws -> Data {
        let bound = ZSTD_compressBound(input.count)
        var output = Data(count: bound)
        let written = output.withUnsafeMutableBytes { out in
            input.withUnsafeBytes { src in
                ZSTD_compress(out.baseAddress, bound, src.baseAddress, input.count, level)
            }
        }
        if ZSTD_isError(written) != 0 {
            throw DatasetError(file: "<zstd>", "compression failed: \(String(cString: ZSTD_getErrorName(written)))")
        }
        output.count = written
        return output
    }

    /// Decompresses a frame whose decompressed size the caller already knows (from its own header);
    /// anything else (a different size, a damaged frame) is an error naming `file`.
    static func decompress(_ input: Data, expectedSize: Int, file: String) throws -> Data {
        var output = Data(count: max(expectedSize, 1))
        let written = output.withUnsafeMutableBytes { out in
            input.withUnsafeBytes { src in
                ZSTD_decompress(out.baseAddress, expectedSize, src.baseAddress, input.count)
            }
        }
        if ZSTD_isError(written) != 0 {
            throw DatasetError(file: file, "zstd cannot decompress the payload: \(String(cString: ZSTD_getErrorName(written)))")
        }
        guard written == expectedSize else {
            throw DatasetError(file: file, "the payload decompresses to \(written) bytes; the header says \(expectedSize)")
        }
        output.count = expectedSize
        return output
    }
}
