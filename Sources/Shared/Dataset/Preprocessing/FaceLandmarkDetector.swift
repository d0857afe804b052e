import Foundation
import OpenCVBridge

/// The five landmarks of the composite layout (eye centres, nose tip, mouth corners) found on an
/// apex face crop with dlib: its HOG face detector, then its 68-point shape predictor (Debian's
/// libdlib-data). Eye centre = mean of the six eye-contour points (36-41, 42-47), nose tip = 30,
/// mouth corners = 48 and 54. Where dlib finds no face the sample gets the reference's fallback
/// landmarks with `detected` = 0, as the reference does when MTCNN fails, and the reason is kept.
///
/// Agreement with the reference's `landmarks_mtcnn_28.csv` is limited by that file itself: its
/// MTCNN points sit in a different frame (about 1.25x wider and 1.4x taller, eyes ~6 px higher than
/// where the eyes are in the apex crops), see the PreprocessingTests landmark test for figures.
public final class FaceLandmarkDetector: @unchecked Sendable {
    /// Where Debian's libdlib-data installs the model.
    public static let defaultModelPath = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat"

    public struct Result: Sendable {
        public var landmarks: FaceLandmarks
        public var detected: Bool
        /// Why the fallback landmarks were used (nil when detected).
        public var fallbackReason: String?
    }

    public let modelPath: String
    private let handle: OpaquePointer

    /// Loads the shape predictor (about 100 MB, a second or two): do it once per run.
    public init(modelPath: String = FaceLandmarkDetector.defaultModelPath) throws {
        guard FileManager.default.fileExists(atPath: modelPath) else {
            throw DatasetError(file: modelPath,
                               "dlib shape predictor not found (Debian: apt-get install libdlib-data, or pass --landmark-model)")
        }
        guard let handle = cvb_shape_predictor_open(modelPath) else {
            throw DatasetError(file: modelPath, "dlib cannot load this file as a 68-point shape predictor")
        }
        self.modelPath = modelPath
        self.handle = handle
    }

    deinit { cvb_shape_predictor_close(handle) }

    /// Landmarks of the face in `crop`, scaled to the 28x28 frame the flow image uses.
    public func landmarks(in crop: GrayImage) -> Result {
        var boxes = [Int32](repeating: 0, count: 4 * 4)
        let upsample: Int32 = min(crop.rows, crop.cols) < 120 ? 1 : 0
        let found = crop.withCVBImage { view in
            boxes.withUnsafeMutableBufferPointer { cvb_hog_detect_faces(&view, upsample, $0.baseAddress, 4) }
        }
        guard found > 0 else {
            return Result(landmarks: .fallback, detected: false,
                          fallbackReason: found < 0 ? "dlib face detector failed" : "dlib found no face in the apex crop")
        }
        var points = [Float](repeating: 0, count: 136)
        let status = crop.withCVBImage { view in
            points.withUnsafeMutableBufferPointer {
                cvb_shape_predict(handle, &view, boxes[0], boxes[1], boxes[2], boxes[3], $0.baseAddress)
            }
        }
        guard status == 0 else {
            return Result(landmarks: .fallback, detected: false, fallbackReason: "dlib shape predictor failed")
        }
        let sx = Double(OpticalFlowImage.size) / Double(crop.cols)
        let sy = Double(OpticalFlowImage.size) / Double(crop.rows)
        func point(_ indices: ClosedRange<Int>) -> FaceLandmarks.Point {
            let n = Double(indices.count)
            let x = indices.map { Double(points[2 * $0]) }.reduce(0, +) / n
            let y = indices.map { Double(points[2 * $0 + 1]) }.reduce(0, +) / n
            // Pixel centres: dlib's integer point i covers [i, i+1); the 28x28 frame scales edges.
            return FaceLandmarks.Point(x: (x + 0.5) * sx - 0.5, y: (y + 0.5) * sy - 0.5)
        }
        return Result(landmarks: FaceLandmarks(points: [point(36...41), point(42...47), point(30...30),
                                                        point(48...48), point(54...54)]),
                      detected: true, fallbackReason: nil)
    }
}
