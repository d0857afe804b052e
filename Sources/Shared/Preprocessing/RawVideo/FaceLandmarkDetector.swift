import Dataset
import Foundation
import OpenCVRuntime

/// The five landmarks of the composite layout (eye centres, nose tip, mouth corners) found on an
/// apex face crop with dlib: its HOG face detector, then its 68-point shape predictor (Debian's
/// libdlib-data). Eye centre = mean of the six eye-contour points (36-41, 42-47), nose tip = 30,
/// mouth corners = 48 and 54. Where dlib finds no face the sample gets the reference's fallback
/// landmarks with `detected` = 0, as the reference does when MTCNN fails, and the reason is kept.
///
/// The reference's MTCNN points sit in a different frame from dlib's (about 1.25x wider and 1.4x
/// taller, eyes ~6 px higher than where the eyes are in the apex crops), so by default the points
/// are mapped into MTCNN's convention (`LandmarkConvention.mtcnn`, see `LandmarkCalibration`).
public final class FaceLandmarkDetector: @unchecked Sendable {
    /// Where Debian's libdlib-data installs the model.
    public static let defaultModelPath = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat"

    public struct Result: Sendable {
        public var landmarks: FaceLandmarks
        public var detected: Bool
        /// Why the fallback landmarks were used (nil when detected).
        public var fallbackReason: String?
    }

    /// dlib's raw output on a crop: the face box it used and the 68 points, both in the crop's pixels
    /// (box edges inclusive, as dlib's rectangles; points at integer pixel positions).
    public struct Shape: Sendable {
        public var left: Int, top: Int, right: Int, bottom: Int
        /// 68 (x, y) points in dlib's order.
        public var points: [(x: Double, y: Double)]
    }

    /// Why dlib gave no shape for a crop.
    public struct NoShape: Error, Sendable {
        public var reason: String
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

    /// dlib's face box (best HOG detection) and 68 points on `crop`, or why there are none.
    public func shape(in crop: GrayImage) -> Swift.Result<Shape, NoShape> {
        var boxes = [Int32](repeating: 0, count: 4 * 4)
        let upsample: Int32 = min(crop.rows, crop.cols) < 120 ? 1 : 0
        let found = crop.withCVBImage { view in
            boxes.withUnsafeMutableBufferPointer { cvb_hog_detect_faces(&view, upsample, $0.baseAddress, 4) }
        }
        guard found > 0 else {
            return .failure(NoShape(reason: found < 0 ? "dlib face detector failed" : "dlib found no face in the apex crop"))
        }
        var points = [Float](repeating: 0, count: 136)
        let status = crop.withCVBImage { view in
            points.withUnsafeMutableBufferPointer {
                cvb_shape_predict(handle, &view, boxes[0], boxes[1], boxes[2], boxes[3], $0.baseAddress)
            }
        }
        guard status == 0 else { return .failure(NoShape(reason: "dlib shape predictor failed")) }
        return .success(Shape(left: Int(boxes[0]), top: Int(boxes[1]), right: Int(boxes[2]), bottom: Int(boxes[3]),
                              points: (0..<68).map { (Double(points[2 * $0]), Double(points[2 * $0 + 1])) }))
    }

    /// Landmarks of the face in `crop` in the 28x28 frame the flow image uses, in `convention`.
    public func landmarks(in crop: GrayImage, convention: LandmarkConvention = .mtcnn) -> Result {
        switch shape(in: crop) {
        case .failure(let error):
            return Result(landmarks: .fallback, detected: false, fallbackReason: error.reason)
        case .success(let shape):
            let raw = LandmarkCalibration.dlibFivePoints(shape, cropRows: crop.rows, cropCols: crop.cols)
            let landmarks = convention == .mtcnn ? LandmarkCalibration.toMTCNN(raw.points, faceBox: raw.faceBox) : raw.points
            return Result(landmarks: FaceLandmarks(points: landmarks), detected: true, fallbackReason: nil)
        }
    }
}
