import Dataset
/// Which frame preprocess writes the five landmarks in.
public enum LandmarkConvention: String, Codable, CaseIterable, Sendable {
    /// dlib's points mapped to where the reference's MTCNN puts them (`LandmarkCalibration`): the
    /// default, so the loader's 14x14 patches fall where the reference pipeline's do.
    case mtcnn
    /// dlib's points as found (eye-contour centres, nose tip, mouth corners).
    case dlibRaw = "dlib-raw"
}

/// dlib's five points -> where the reference's MTCNN puts them (`landmarks_mtcnn_28.csv`), whose
/// points sit in a different frame (about 1.25x wider, 1.4x taller, eyes ~6 px higher than the eyes
/// in the apex crops). Per landmark, one affine map in dlib-face-box-normalised coordinates:
/// u = (x - box.x0) / box.w, v = (y - box.y0) / box.h, then u' = a u + b v + c, v' = d u + e v + f,
/// and back to pixels with the same box.
///
/// How the constants were obtained (a one-off least-squares fit outside the product; none of the
/// shared data ships): dlib's output on the 309 real apex crops of the composite against the
/// reference's MTCNN points, on the 130 samples where both found a face (MTCNN detected = 1).
/// Model chosen by 10-fold cross-validation (mean over 20 shuffles) among global or per-landmark,
/// pixel or box-normalised, affine, axis-scale, offset or constant maps. Mean distance in the 28x28
/// frame: raw dlib 4.47 px; this map 2.24 px in-sample, 2.29 px cross-validated (eyes 2.7, nose 2.2,
/// mouth corners 2.1 and 1.9); one global affine 2.46 / 2.48 px; the best constant box-relative
/// shape (ignoring dlib's points) 2.60 px cross-validated. Most of what remains is MTCNN's own
/// scatter on 28x28 faces.
public enum LandmarkCalibration {
    /// Per landmark (reference order), [a, b, c, d, e, f] of the map above.
    public static let coefficients: [[Double]] = [
        [1.178753, -0.646222, 0.132959, 0.628670, 0.220375, -0.127826],  // left eye
        [0.751330, 0.032449, 0.270610, 0.606723, 0.432537, -0.494284],   // right eye
        [0.794070, -0.356129, 0.336233, 0.401551, 0.780376, -0.209687],  // nose
        [1.077904, -1.084250, 0.752799, 0.226968, 0.671741, 0.133568],   // left mouth corner
        [0.607129, -0.144305, 0.489537, 0.327999, 0.738668, -0.073435],  // right mouth corner
    ]

    /// A face box in the 28x28 frame: x0, y0 its top-left edge, w, h its size (pixel-centre coordinates).
    public struct Box: Sendable {
        public var x0: Double, y0: Double, w: Double, h: Double
    }

    /// dlib's five points (eye-contour centres 36-41 and 42-47, nose tip 30, mouth corners 48 and
    /// 54) and its face box, scaled from the crop to the 28x28 frame.
    public static func dlibFivePoints(_ shape: FaceLandmarkDetector.Shape, cropRows: Int, cropCols: Int)
        -> (points: [FaceLandmarks.Point], faceBox: Box) {
        let sx = Double(OpticalFlowImage.size) / Double(cropCols)
        let sy = Double(OpticalFlowImage.size) / Double(cropRows)
        func point(_ indices: ClosedRange<Int>) -> FaceLandmarks.Point {
            let n = Double(indices.count)
            let x = indices.map { shape.points[$0].x }.reduce(0, +) / n
            let y = indices.map { shape.points[$0].y }.reduce(0, +) / n
            // Pixel centres: dlib's integer point i covers [i, i+1); the 28x28 frame scales edges.
            return FaceLandmarks.Point(x: (x + 0.5) * sx - 0.5, y: (y + 0.5) * sy - 0.5)
        }
        let box = Box(x0: Double(shape.left) * sx - 0.5, y0: Double(shape.top) * sy - 0.5,
                      w: Double(shape.right - shape.left + 1) * sx, h: Double(shape.bottom - shape.top + 1) * sy)
        return ([point(36...41), point(42...47), point(30...30), point(48...48), point(54...54)], box)
    }

    /// dlib's five points (28x28 frame) and face box -> the MTCNN convention, with `coefficients`.
    public static func toMTCNN(_ points: [FaceLandmarks.Point], faceBox box: Box,
                               coefficients: [[Double]] = LandmarkCalibration.coefficients) -> [FaceLandmarks.Point] {
        zip(points, coefficients).map { p, c in
            let u = (p.x - box.x0) / box.w, v = (p.y - box.y0) / box.h
            return FaceLandmarks.Point(x: box.x0 + box.w * (c[0] * u + c[1] * v + c[2]),
                                       y: box.y0 + box.h * (c[3] * u + c[4] * v + c[5]))
        }
    }
}
