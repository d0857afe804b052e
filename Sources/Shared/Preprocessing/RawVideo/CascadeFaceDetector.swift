import Dataset
import Foundation
import OpenCVRuntime

/// OpenCV's Haar cascade frontal-face detector (data from Debian's opencv-data). Finds the face on
/// a sequence's onset frame; the largest detection wins (one subject per clip). A cascade object
/// is not safe to share between threads, so calls are serialised; detection runs once per sample.
public final class CascadeFaceDetector: @unchecked Sendable {
    /// Where Debian's opencv-data installs the cascade we use by default.
    public static let defaultPath = "/usr/share/opencv4/haarcascades/haarcascade_frontalface_default.xml"

    public let path: String
    private let handle: OpaquePointer
    private let lock = NSLock()

    public init(path: String = CascadeFaceDetector.defaultPath) throws {
        guard FileManager.default.fileExists(atPath: path) else {
            throw DatasetError(file: path, "face cascade not found (Debian: apt-get install opencv-data, or pass --face-cascade)")
        }
        guard let handle = cvb_cascade_open(path) else {
            throw DatasetError(file: path, "OpenCV cannot load this face cascade")
        }
        self.path = path
        self.handle = handle
    }

    deinit { cvb_cascade_close(handle) }

    /// The largest face at least a fifth of the frame's shorter side, or nil.
    public func largestFace(in image: GrayImage) -> FaceBox? {
        var boxes = [Int32](repeating: 0, count: 4 * 8)
        let minSize = max(24, min(image.rows, image.cols) / 5)
        let count: Int32 = lock.withLock {
            image.withCVBImage { view in
                boxes.withUnsafeMutableBufferPointer {
                    cvb_cascade_detect(handle, &view, 1.1, 5, Int32(minSize), $0.baseAddress, 8)
                }
            }
        }
        guard count > 0 else { return nil }
        return FaceBox(x: Int(boxes[0]), y: Int(boxes[1]), width: Int(boxes[2]), height: Int(boxes[3]))
    }
}
