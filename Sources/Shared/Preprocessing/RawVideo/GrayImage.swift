import Dataset
import Foundation
import OpenCVRuntime

/// A one-channel 8-bit frame (a face crop or a whole video frame): what optical flow, the face
/// detectors and the histogram-based apex spotter all work on. Rows x cols, row-major.
public struct GrayImage: Equatable, Sendable {
    public var rows: Int
    public var cols: Int
    public var pixels: [UInt8]

    public init(rows: Int, cols: Int, pixels: [UInt8]) {
        precondition(pixels.count == rows * cols, "pixel count does not match \(rows)x\(cols)")
        self.rows = rows
        self.cols = cols
        self.pixels = pixels
    }

    /// Reads with cv::imread(IMREAD_GRAYSCALE); nil when OpenCV cannot decode the file.
    public static func read(path: String) -> GrayImage? {
        var raw = CVBImage(rows: 0, cols: 0, channels: 0, data: nil)
        guard cvb_imread(path, 1, &raw) == 0, let data = raw.data else { return nil }
        defer { cvb_image_free(&raw) }
        return GrayImage(rows: Int(raw.rows), cols: Int(raw.cols),
                         pixels: Array(UnsafeBufferPointer(start: data, count: Int(raw.rows) * Int(raw.cols))))
    }

    /// The luminance of a BGR image with OpenCV's weights (0.299 R + 0.587 G + 0.114 B).
    public init(_ image: Image8) {
        precondition(image.channels == 3 || image.channels == 1, "gray from 1 or 3 channels")
        rows = image.rows
        cols = image.cols
        if image.channels == 1 {
            pixels = image.pixels
        } else {
            pixels = (0..<(image.rows * image.cols)).map { i in
                let b = Double(image.pixels[3 * i]), g = Double(image.pixels[3 * i + 1]), r = Double(image.pixels[3 * i + 2])
                return UInt8(min(255, (0.114 * b + 0.587 * g + 0.299 * r).rounded()))
            }
        }
    }

    /// Three equal channels, for writing as an ordinary colour image.
    public var colour: Image8 {
        Image8(rows: rows, cols: cols, channels: 3, pixels: pixels.flatMap { [$0, $0, $0] })
    }

    /// The pixels inside `box` (clamped to the image).
    public func cropped(to box: FaceBox) -> GrayImage {
        let b = box.clamped(rows: rows, cols: cols)
        var out = [UInt8](repeating: 0, count: b.width * b.height)
        for r in 0..<b.height {
            let source = (b.y + r) * cols + b.x
            out.replaceSubrange(r * b.width..<(r + 1) * b.width, with: pixels[source..<source + b.width])
        }
        return GrayImage(rows: b.height, cols: b.width, pixels: out)
    }

    /// cv::resize (INTER_AREA when shrinking, INTER_LINEAR when enlarging, as OpenCV advises).
    public func resized(rows newRows: Int, cols newCols: Int) -> GrayImage {
        if newRows == rows && newCols == cols { return self }
        let interpolation: Int32 = newRows * newCols < rows * cols ? 3 : 1
        var source = pixels
        var raw = CVBImage(rows: 0, cols: 0, channels: 0, data: nil)
        let status = source.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var input = CVBImage(rows: Int32(rows), cols: Int32(cols), channels: 1, data: buffer.baseAddress)
            return cvb_resize(&input, Int32(newRows), Int32(newCols), interpolation, &raw)
        }
        precondition(status == 0 && raw.data != nil, "cv::resize failed on a valid image")
        defer { cvb_image_free(&raw) }
        return GrayImage(rows: newRows, cols: newCols,
                         pixels: Array(UnsafeBufferPointer(start: raw.data, count: newRows * newCols)))
    }

    /// Calls `body` with an OpenCV view of the pixels (valid only inside the call).
    func withCVBImage<T>(_ body: (inout CVBImage) -> T) -> T {
        var copy = pixels
        return copy.withUnsafeMutableBufferPointer { buffer in
            var image = CVBImage(rows: Int32(rows), cols: Int32(cols), channels: 1, data: buffer.baseAddress)
            return body(&image)
        }
    }
}
