import Dataset
import Preprocessing
import Tensor
import TestSupport
import XCTest

/// The ROI histogram-difference spotter picks the frame of largest displacement.
final class ApexSpotterTests: XCTestCase {
    func spot(face: GrayImage, apex: Int, frames: Int, noise: Double, label: Int) -> Int {
        let field = SyntheticSequences.expressionField(label: label, landmarks: .fallback, side: face.rows, amplitude: 3)
        var rng = DeterministicRNG(seed: UInt64(apex * 7 + label))
        let sequence = (0..<frames).map { n -> GrayImage in
            let scale = n <= apex ? Double(n) / Double(apex) : max(0, 1 - 0.8 * Double(n - apex) / Double(frames - 1 - apex))
            var frame = field.warp(face, scale: scale)
            frame.pixels = frame.pixels.map { UInt8(min(255, max(0, (Double($0) + noise * Double(rng.normal())).rounded()))) }
            return frame
        }
        return ApexSpotter().spot(sequence).index
    }

    func testSpottedApexIsTheFrameOfLargestDisplacementOnRealFaces() throws {
        for (i, name) in ["sub01_EP02_01f.jpg", "s01_s1_ne_01.jpg", "sub12_EP02_05.jpg"].enumerated() {
            let face = try SharedData.face(name, side: 120)
            for apex in [3, 6] {
                XCTAssertEqual(spot(face: face, apex: apex, frames: 10, noise: 1, label: i % 3), apex, "\(name), apex \(apex)")
            }
        }
    }

    func testSpottedApexOnTheSyntheticFace() {
        var c = SyntheticSequences.Configuration()
        c.subjects = 1
        c.samplesPerSubject = 3
        c.side = 120
        for clip in SyntheticSequences.clips(seed: 3, configuration: c) {
            XCTAssertEqual(spot(face: clip.face, apex: clip.apex - clip.onset, frames: clip.offset - clip.onset + 1,
                                noise: 0, label: clip.label), clip.apex - clip.onset)
        }
    }

    func testNoMotionSpotsTheOnset() {
        let flat = GrayImage(rows: 30, cols: 30, pixels: [UInt8](repeating: 90, count: 900))
        XCTAssertEqual(ApexSpotter().spot([flat, flat, flat]).index, 0)
    }
}
