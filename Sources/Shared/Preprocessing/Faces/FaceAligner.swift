import Dataset
import Foundation
import OpenCVRuntime

/// Brings one face photograph to the 28x28 frame with five landmarks, with the raw-video pipeline's
/// face steps: the largest cascade face (the whole image, squared, when there is none), cropped and
/// resized to 28x28 (cv::resize, INTER_AREA), and dlib's landmarks of the grey crop in that frame.
final class FaceAligner {
    let cascade: CascadeFaceDetector
    let landmarks: FaceLandmarkDetector

    init() throws {
        cascade = try CascadeFaceDetector()
        landmarks = try FaceLandmarkDetector()
    }

    func align(_ image: Image8) -> (face: Image8, landmarks: FaceLandmarks, detected: Bool) {
        let gray = GrayImage(image)
        let side = min(image.rows, image.cols)
        let box = cascade.largestFace(in: gray)
            ?? FaceBox(x: (image.cols - side) / 2, y: (image.rows - side) / 2, width: side, height: side)
        let crop = gray.cropped(to: box)
        let found = landmarks.landmarks(in: crop)
        let face = Self.resizedColour(image, box: box.clamped(rows: image.rows, cols: image.cols), size: InputComposer.imageSize)
        return (face, found.landmarks, found.detected)
    }

    static func resizedColour(_ image: Image8, box: FaceBox, size: Int) -> Image8 {
        var cropped = [UInt8](repeating: 0, count: box.width * box.height * 3)
        for r in 0..<box.height {
            let source = ((box.y + r) * image.cols + box.x) * 3
            cropped.replaceSubrange(r * box.width * 3..<(r + 1) * box.width * 3, with: image.pixels[source..<source + box.width * 3])
        }
        var raw = CVBImage(rows: 0, cols: 0, channels: 0, data: nil)
        let status = cropped.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var input = CVBImage(rows: Int32(box.height), cols: Int32(box.width), channels: 3, data: buffer.baseAddress)
            return cvb_resize(&input, Int32(size), Int32(size), size * size < box.width * box.height ? 3 : 1, &raw)
        }
        precondition(status == 0 && raw.data != nil, "cv::resize failed on a valid image")
        defer { cvb_image_free(&raw) }
        return Image8(rows: size, cols: size, channels: 3, pixels: Array(UnsafeBufferPointer(start: raw.data, count: size * size * 3)))
    }
}
