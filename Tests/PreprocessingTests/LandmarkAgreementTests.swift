import Dataset
import Foundation
import XCTest

/// dlib's five landmarks on the 309 real apex crops against the reference's MTCNN landmarks
/// (`landmarks_mtcnn_28.csv`, rows with detected = 1).
///
/// The reference's points are not where the features are in the apex crops: fitted over the 137
/// detected rows, MTCNN ~ (1.25 x - 3.0, 1.40 y - 9.3) of dlib's points, i.e. its eyes sit ~6 px
/// higher (on the brows or above) and 1 px wider on each side; MTCNN ran on a 28x28 image. So the
/// bound here is loose by necessity. Measured: dlib finds the face in 238 of 309 crops; over the 130
/// samples where both found it, the mean distance is 4.47 px (eyes ~6.7, nose ~3.9, mouth corners
/// ~3); the reference's fallback landmarks are 7.64 px away and the best constant shape (the mean of
/// MTCNN's own points) 2.74 px. After one global affine map (two-fold cross-validated) dlib is
/// 2.52 px from MTCNN, as close as MTCNN is to its own mean shape.
final class LandmarkAgreementTests: XCTestCase {
    func testDetectedLandmarksAgreeWithTheReferenceWhereMTCNNFoundTheFace() throws {
        let root = try SharedData.path("data/composite")
        let detector = try SharedDetectors.landmarks()
        let reference = try CSVFile(path: root + "/landmarks_mtcnn_28.csv")
        let annotations = try CSVFile(path: root + "/combined_3_class2_for_optical_flow.csv")
        var distances: [Double] = [], fallbackDistances: [Double] = []
        var found = 0, total = 0
        for row in annotations.rows {
            let id = row["sub"]! + "_" + row["filename_o"]! + " .png"
            guard let crop = GrayImage.read(path: root + "/apex/" + row["imagename"]!) else {
                return XCTFail("cannot read the apex crop of \(id)")
            }
            total += 1
            let result = detector.landmarks(in: crop)
            if result.detected { found += 1 }
            guard let ref = reference.rows.first(where: { $0["flow_image"] == id }), ref["detected"] == "1",
                  result.detected else { continue }
            let values = FaceLandmarks.columnNames.map { Double(ref[$0]!)! }
            for k in 0..<5 {
                let p = result.landmarks.points[k], f = FaceLandmarks.fallback.points[k]
                distances.append(hypot(p.x - values[2 * k], p.y - values[2 * k + 1]))
                fallbackDistances.append(hypot(f.x - values[2 * k], f.y - values[2 * k + 1]))
            }
        }
        let mean = distances.reduce(0, +) / Double(distances.count)
        let fallbackMean = fallbackDistances.reduce(0, +) / Double(fallbackDistances.count)
        print("landmarks: dlib found \(found)/\(total) faces; mean distance to MTCNN (detected = 1, \(distances.count / 5) samples) \(mean) px; fallback landmarks \(fallbackMean) px")
        XCTAssertEqual(total, 309)
        XCTAssertGreaterThan(found, 220, "dlib finds the face in most apex crops (238 of 309 when measured)")
        XCTAssertGreaterThan(distances.count / 5, 120)
        XCTAssertLessThan(mean, 5.5)
        XCTAssertLessThan(mean, fallbackMean - 2)
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
