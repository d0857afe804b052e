import Dataset
import Foundation
import OpenCVRuntime

/// Image files through OpenCV: the only place pixels meet a codec, so that the data core and the
/// worker never link OpenCV.
extension Image8 {
    /// Reads with cv::imread(IMREAD_COLOR), as the reference does: always 3 channels, BGR.
    /// Returns nil when OpenCV cannot decode the file; the caller knows which row to blame.
    public static func readColor(path: String) -> Image8? {
        take { cvb_imread(path, 0, &$0) }
    }

    /// Decodes encoded bytes with cv::imdecode(IMREAD_COLOR): the same result as `readColor` on a
    /// file holding them, so a caller can hash and decode the very same bytes.
    public static func decodeColor(_ bytes: Data) -> Image8? {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.bindMemory(to: UInt8.self).baseAddress else { return nil }
            return take { cvb_imdecode(base, buffer.count, 0, &$0) }
        }
    }

    /// Runs a bridge call that fills a CVBImage, copies the pixels out and frees OpenCV's buffer.
    private static func take(_ call: (inout CVBImage) -> Int32) -> Image8? {
        var raw = CVBImage(rows: 0, cols: 0, channels: 0, data: nil)
        guard call(&raw) == 0, let data = raw.data else { return nil }
        defer { cvb_image_free(&raw) }
        let count = Int(raw.rows) * Int(raw.cols) * Int(raw.channels)
        return Image8(rows: Int(raw.rows), cols: Int(raw.cols), channels: Int(raw.channels),
                      pixels: Array(UnsafeBufferPointer(start: data, count: count)))
    }

    /// Writes with cv::imwrite (format from the extension). PNG output is a pure function of the
    /// pixels, which is what makes the synthetic composite byte-identical across runs.
    public func write(path: String) throws {
        precondition(channels == 1 || channels == 3 || channels == 4, "OpenCV writes 1, 3 or 4 channels")
        var copy = pixels
        let status = copy.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var image = CVBImage(rows: Int32(rows), cols: Int32(cols), channels: Int32(channels),
                                 data: buffer.baseAddress)
            return cvb_imwrite(path, &image)
        }
        if status != 0 { throw DatasetError(file: path, "OpenCV cannot write the image") }
    }
}
