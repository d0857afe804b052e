import Foundation
@testable import Preprocessing
import XCTest

/// D-Markers on landmark tracks whose motion is known, every expected value worked out by hand.
final class DMarkerTests: XCTestCase {
    /// 68 points; eye contours around (0, 0) and (2, 0), so the inter-ocular distance is 2 px.
    func face() -> [(x: Double, y: Double)] {
        var p = [(x: Double, y: Double)](repeating: (5, 5), count: 68)
        for i in 36...41 { p[i] = (i % 2 == 0 ? -0.5 : 0.5, 0) }
        for i in 42...47 { p[i] = (i % 2 == 0 ? 1.5 : 2.5, 0) }
        return p
    }

    func value(_ values: [Double], _ column: String) -> Double { values[DMarkers.columns.firstIndex(of: column)!] }

    func testColumns() {
        XCTAssertEqual(DMarkers.columns.count, 75)
        XCTAssertEqual(Set(DMarkers.columns).count, 75)
        XCTAssertEqual(DMarkers.columns.first, "onset_duration")
    }

    /// A trapezoid smile at 10 fps: the left mouth corner moves 0.5 px per frame outward on frames
    /// 0-4 (to 2 px = 1 IOD), holds on frames 4-7, returns on frames 7-11; the right corner moves half
    /// as far; the eyelids stay still. Apex frame 5.
    func testTrapezoidSmile() throws {
        let profile: [Double] = [0, 0.5, 1, 1.5, 2, 2, 2, 2, 1.5, 1, 0.5, 0]   // px, frames 0...11
        let frames = profile.map { s -> [(x: Double, y: Double)] in
            var p = face()
            p[48] = (5 - s, 5)
            p[54] = (5 + s / 2, 5)
            return p
        }
        let v = try DMarkers.compute(frames: frames, fps: 10, apex: 5)
        XCTAssertEqual(v.count, 75)
        // Apex phase = frames 4...7 (frames 3 and 8 are at 75 % of the apex value).
        XCTAssertEqual(value(v, "onset_duration"), 0.4, accuracy: 1e-12)
        XCTAssertEqual(value(v, "apex_duration"), 0.3, accuracy: 1e-12)
        XCTAssertEqual(value(v, "offset_duration"), 0.4, accuracy: 1e-12)
        // Left corner: 2 px = 1 IOD in 4 frames -> 0.25 IOD/frame = 2.5 IOD/s; constant speed, no acceleration.
        XCTAssertEqual(value(v, "lip_left_onset_amplitude"), 1, accuracy: 1e-12)
        XCTAssertEqual(value(v, "lip_left_onset_mean_speed"), 2.5, accuracy: 1e-12)
        XCTAssertEqual(value(v, "lip_left_onset_max_speed"), 2.5, accuracy: 1e-12)
        XCTAssertEqual(value(v, "lip_left_onset_mean_acceleration"), 0, accuracy: 1e-9)
        XCTAssertEqual(value(v, "lip_right_onset_amplitude"), 0.5, accuracy: 1e-12)
        XCTAssertEqual(value(v, "lip_right_offset_mean_speed"), 1.25, accuracy: 1e-12)
        XCTAssertEqual(value(v, "lip_onset_lr_amplitude_ratio"), 2, accuracy: 1e-12)
        XCTAssertEqual(value(v, "lip_offset_lr_speed_ratio"), 2, accuracy: 1e-12)
        XCTAssertEqual(value(v, "lip_left_apex_amplitude"), 0, accuracy: 1e-12)
        XCTAssertEqual(value(v, "lip_left_apex_max_speed"), 0, accuracy: 1e-12)
        // Still eyelids: zero everywhere, ratio 0/0 = 1.
        XCTAssertEqual(value(v, "eyelid_left_onset_amplitude"), 0)
        XCTAssertEqual(value(v, "eyelid_onset_lr_amplitude_ratio"), 1)
    }

    /// Constant acceleration: the upper left eyelid rises c t^2 px with c = 0.1 on frames 0-4 at 20 fps
    /// (IOD 2 px, so D = 0.05 t^2 IOD); v(t) = 0.05 (2t + 1) * 20 = 2t + 1 IOD/s for t = 0...3, so mean
    /// |v| = 4, max 7; a = 2 * 20 = 40 IOD/s^2 throughout. Lips hold apex from frame 2 so the phase
    /// split is known: the lip corners move 1 px on frame 1 and 2 px from frame 2 to frame 4, back at 5-6.
    func testConstantAccelerationOnTheEyelid() throws {
        let lipProfile: [Double] = [0, 1, 2, 2, 2, 1, 0]
        let frames = (0..<7).map { t -> [(x: Double, y: Double)] in
            var p = face()
            let rise = 0.1 * Double(min(t, 4) * min(t, 4))
            p[37].y -= rise
            p[38].y -= rise
            p[48] = (5 - lipProfile[t], 5)
            p[54] = (5 + lipProfile[t], 5)
            return p
        }
        // The eye centre of the onset frame is unaffected by later motion; IOD stays 2 px.
        let v = try DMarkers.compute(frames: frames, fps: 20, apex: 3)
        // Onset phase = frames 0...2 (apex phase 2...4): v = 1, 3 IOD/s; a = 40.
        XCTAssertEqual(value(v, "eyelid_left_onset_mean_speed"), 2, accuracy: 1e-9)
        XCTAssertEqual(value(v, "eyelid_left_onset_max_speed"), 3, accuracy: 1e-9)
        XCTAssertEqual(value(v, "eyelid_left_onset_mean_acceleration"), 40, accuracy: 1e-9)
        XCTAssertEqual(value(v, "eyelid_left_onset_amplitude"), 0.2, accuracy: 1e-12)
        // Apex phase frames 2...4: v = 5, 7; a = 40; amplitude (1.6 - 0.4) px / 2 = 0.6.
        XCTAssertEqual(value(v, "eyelid_left_apex_max_speed"), 7, accuracy: 1e-9)
        XCTAssertEqual(value(v, "eyelid_left_apex_max_acceleration"), 40, accuracy: 1e-9)
        XCTAssertEqual(value(v, "eyelid_left_apex_amplitude"), 0.6, accuracy: 1e-12)
        XCTAssertEqual(value(v, "apex_duration"), 0.1, accuracy: 1e-12)
        XCTAssertEqual(value(v, "eyelid_right_apex_amplitude"), 0)
    }

    func testBadTracksAreNamed() {
        XCTAssertThrowsError(try DMarkers.compute(frames: [face(), face()], fps: 10, apex: 1))
        XCTAssertThrowsError(try DMarkers.compute(frames: [face(), face(), face()], fps: 10, apex: 0)) { error in
            XCTAssertEqual("\(error)", "apex frame 0 must lie strictly between the onset (0) and the offset (2)")
        }
    }
}
