import Dataset
import Preprocessing
import Foundation
import TestSupport
import XCTest

/// dlib's five landmarks on the 309 real apex crops against the reference's MTCNN landmarks
/// (`landmarks_mtcnn_28.csv`, rows with detected = 1), raw and in the MTCNN convention preprocess
/// writes by default (`LandmarkCalibration`).
///
/// The reference's points are not where the features are in the apex crops (MTCNN ran on a 28x28
/// image): MTCNN ~ (1.25 x - 3.0, 1.40 y - 9.3) of dlib's raw points, its eyes ~6 px higher. Raw dlib
/// is 4.47 px from MTCNN over the 130 samples where both find a face (dlib finds 238 of 309); the
/// reference's fallback landmarks are 7.64 px away.
///
/// `LandmarkCalibration.coefficients` were fitted on these same 130 samples, so the distance with
/// them (2.24 px) is optimistic. The honest figure is out-of-sample: 10-fold cross-validation of
/// the same model gave 2.29 px when it was fitted. This test checks both: the shipped constants
/// in-sample, and a two-fold split (even/odd samples in sheet order) that refits the same per-landmark
/// box-normalised affine map on one half and measures it on the other (2.30 px when measured).
final class LandmarkAgreementTests: XCTestCase {
    func testCalibratedLandmarksAgreeWithTheReferenceWhereMTCNNFoundTheFace() throws {
        let root = try SharedData.path("data/composite")
        let detector = try SharedDetectors.landmarks()
        let reference = try CSVFile(path: root + "/landmarks_mtcnn_28.csv")
        let referenceByID = Dictionary(reference.rows.map { ($0["flow_image"]!, $0) }, uniquingKeysWith: { a, _ in a })
        let annotations = try CSVFile(path: root + "/combined_3_class2_for_optical_flow.csv")
        var samples: [(raw: [FaceLandmarks.Point], box: LandmarkCalibration.Box, mtcnn: [FaceLandmarks.Point])] = []
        var found = 0, total = 0
        for row in annotations.rows {
            let id = row["sub"]! + "_" + row["filename_o"]! + " .png"
            guard let crop = GrayImage.read(path: root + "/apex/" + row["imagename"]!) else {
                return XCTFail("cannot read the apex crop of \(id)")
            }
            total += 1
            guard case .success(let shape) = detector.shape(in: crop) else { continue }
            found += 1
            let raw = LandmarkCalibration.dlibFivePoints(shape, cropRows: crop.rows, cropCols: crop.cols)
            if samples.isEmpty {
                // What preprocess writes is this calibration, and dlib-raw the raw points.
                XCTAssertEqual(detector.landmarks(in: crop).landmarks.points,
                               LandmarkCalibration.toMTCNN(raw.points, faceBox: raw.faceBox))
                XCTAssertEqual(detector.landmarks(in: crop, convention: .dlibRaw).landmarks.points, raw.points)
            }
            guard let ref = referenceByID[id], ref["detected"] == "1" else { continue }
            let values = FaceLandmarks.columnNames.map { Double(ref[$0]!)! }
            samples.append((raw.points, raw.faceBox, (0..<5).map { FaceLandmarks.Point(x: values[2 * $0], y: values[2 * $0 + 1]) }))
        }
        func meanDistance(_ indices: [Int], coefficients: [[Double]]?) -> Double {
            let d = indices.flatMap { i in
                let s = samples[i]
                let points = coefficients.map { LandmarkCalibration.toMTCNN(s.raw, faceBox: s.box, coefficients: $0) } ?? s.raw
                return zip(points, s.mtcnn).map { hypot($0.x - $1.x, $0.y - $1.y) }
            }
            return d.reduce(0, +) / Double(d.count)
        }
        let all = Array(samples.indices)
        let even = all.filter { $0 % 2 == 0 }, odd = all.filter { $0 % 2 == 1 }
        let raw = meanDistance(all, coefficients: nil)
        let inSample = meanDistance(all, coefficients: LandmarkCalibration.coefficients)
        let heldOut = (meanDistance(odd, coefficients: fitCalibration(even.map { samples[$0] })) * Double(odd.count)
            + meanDistance(even, coefficients: fitCalibration(odd.map { samples[$0] })) * Double(even.count)) / Double(all.count)
        let fallback = all.flatMap { i in zip(FaceLandmarks.fallback.points, samples[i].mtcnn).map { hypot($0.x - $1.x, $0.y - $1.y) } }
        let fallbackMean = fallback.reduce(0, +) / Double(fallback.count)
        print("landmarks: dlib found \(found)/\(total) faces; mean distance to MTCNN (detected = 1, \(samples.count) samples): raw \(raw) px, calibrated \(inSample) px in-sample, \(heldOut) px two-fold held-out; fallback landmarks \(fallbackMean) px")
        XCTAssertEqual(total, 309)
        XCTAssertGreaterThan(found, 220, "dlib finds the face in most apex crops (238 of 309 when measured)")
        XCTAssertGreaterThan(samples.count, 120)
        XCTAssertLessThan(raw, 5.0)
        XCTAssertLessThan(inSample, 2.4, "2.24 px when fitted")
        XCTAssertLessThan(heldOut, 2.5, "2.30 px when measured (10-fold CV: 2.29 px)")
        XCTAssertLessThan(heldOut, raw - 1.5)
        XCTAssertLessThan(heldOut, fallbackMean - 4)
    }

    /// Least squares, per landmark and coordinate, of MTCNN's box-normalised point on (u, v, 1) of
    /// dlib's: the model of `LandmarkCalibration`, refitted on a subset.
    private func fitCalibration(_ samples: [(raw: [FaceLandmarks.Point], box: LandmarkCalibration.Box,
                                             mtcnn: [FaceLandmarks.Point])]) -> [[Double]] {
        (0..<5).map { k in
            var ata = [[Double]](repeating: [0, 0, 0], count: 3), atx = [0.0, 0, 0], aty = [0.0, 0, 0]
            for s in samples {
                let b = s.box
                let f = [(s.raw[k].x - b.x0) / b.w, (s.raw[k].y - b.y0) / b.h, 1]
                let tx = (s.mtcnn[k].x - b.x0) / b.w, ty = (s.mtcnn[k].y - b.y0) / b.h
                for i in 0..<3 {
                    for j in 0..<3 { ata[i][j] += f[i] * f[j] }
                    atx[i] += f[i] * tx
                    aty[i] += f[i] * ty
                }
            }
            return solve3(ata, atx) + solve3(ata, aty)
        }
    }

    /// A 3x3 system by Cramer's rule (well conditioned here: three features over ~65 samples).
    private func solve3(_ m: [[Double]], _ r: [Double]) -> [Double] {
        func det(_ a: [[Double]]) -> Double {
            a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) - a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0])
                + a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0])
        }
        let d = det(m)
        return (0..<3).map { c in det(m.enumerated().map { i, row in row.enumerated().map { j, v in j == c ? r[i] : v } }) / d }
    }
}

/// A tiny CSV reader for the shared files (plain fields, no quoting), keyed by header.
struct CSVFile {
    let rows: [[String: String]]

    init(path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        rows = lines.dropFirst().map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Dictionary(uniqueKeysWithValues: zip(header, fields))
        }
    }
}
