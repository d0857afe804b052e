import Foundation

/// D-Marker-style dynamics of a clip (after Dibeklioğlu et al.'s smile-authenticity features): how
/// far, how fast and how abruptly the lip corners and the eyelids move in each phase, and how
/// symmetric left and right are. Input: dlib's 68 points on every frame from the onset to the
/// offset frame (`coordinator preprocess --dmarkers`), the frame rate, and the apex frame.
///
/// Conventions (docs and tests rely on them):
/// - Distances are in units of the onset frame's inter-ocular distance (IOD: between the eye
///   centres, each the mean of its six contour points 36-41 / 42-47), so faces of any size compare.
/// - Region signals D(t) = distance of the region's point from where it was on the onset frame:
///   lip_left = point 48, lip_right = 54 (the mouth corners, in dlib's image-left/right order);
///   eyelid_left = mean of 37 and 38, eyelid_right = mean of 43 and 44 (upper eyelids).
/// - Phases: the apex phase is the longest run of frames containing the apex frame on which the
///   lip signal L(t) = (D_lip_left + D_lip_right) / 2 stays >= 90 % of L(apex); onset = onset frame
///   to the apex phase's first frame; offset = the apex phase's last frame to the offset frame.
///   A phase over frames t0...t1 lasts (t1 - t0) / fps seconds.
/// - Per region and phase: amplitude = max D - min D over t0...t1; speed v(t) = (D(t+1) - D(t)) * fps
///   for t0 <= t < t1, mean and max of |v|; acceleration a = (v(t+1) - v(t)) * fps, mean and max of |a|
///   (0 when the phase has fewer than two speeds).
/// - Ratios left / right of amplitude and mean speed per phase, for lips and eyelids; a right value
///   below 1e-9 gives 1 when the left one is too, else left / 1e-9.
public enum DMarkers {
    public static let regions = ["lip_left", "lip_right", "eyelid_left", "eyelid_right"]
    public static let phases = ["onset", "apex", "offset"]
    public static let measures = ["amplitude", "mean_speed", "max_speed", "mean_acceleration", "max_acceleration"]
    static let regionPoints: [[Int]] = [[48], [54], [37, 38], [43, 44]]
    /// The apex phase's threshold, a fraction of the lip signal at the apex frame.
    public static let apexFraction = 0.9

    /// Column names in the order `compute` returns values: per phase its duration, then every
    /// region's five measures, then the four left/right ratios (75 columns).
    public static var columns: [String] {
        phases.flatMap { phase -> [String] in
            ["\(phase)_duration"]
                + regions.flatMap { r in measures.map { "\(r)_\(phase)_\($0)" } }
                + ["lip", "eyelid"].flatMap { ["\($0)_\(phase)_lr_amplitude_ratio", "\($0)_\(phase)_lr_speed_ratio"] }
        }
    }

    public struct BadTrack: Error, CustomStringConvertible {
        public let description: String
    }

    /// `frames`: 68 (x, y) points per frame, from the onset frame to the offset frame inclusive;
    /// `apex`: the apex frame's index into `frames`.
    public static func compute(frames: [[(x: Double, y: Double)]], fps: Double, apex: Int) throws -> [Double] {
        guard frames.count >= 3 else { throw BadTrack(description: "\(frames.count) frames; D-Markers need onset, apex and offset frames") }
        guard frames.allSatisfy({ $0.count == 68 }) else { throw BadTrack(description: "a frame without dlib's 68 points") }
        guard fps > 0, fps.isFinite else { throw BadTrack(description: "frame rate \(fps) must be positive") }
        guard apex > 0, apex < frames.count - 1 else {
            throw BadTrack(description: "apex frame \(apex) must lie strictly between the onset (0) and the offset (\(frames.count - 1))")
        }
        func mean(_ points: [(x: Double, y: Double)], _ idx: [Int]) -> (x: Double, y: Double) {
            (idx.map { points[$0].x }.reduce(0, +) / Double(idx.count), idx.map { points[$0].y }.reduce(0, +) / Double(idx.count))
        }
        let first = frames[0]
        let leftEye = mean(first, Array(36...41)), rightEye = mean(first, Array(42...47))
        let iod = hypot(leftEye.x - rightEye.x, leftEye.y - rightEye.y)
        guard iod > 0 else { throw BadTrack(description: "the eye centres coincide on the onset frame") }
        let signals: [[Double]] = regionPoints.map { idx in
            let start = mean(first, idx)
            return frames.map { f in let p = mean(f, idx); return hypot(p.x - start.x, p.y - start.y) / iod }
        }
        let lip = zip(signals[0], signals[1]).map { ($0 + $1) / 2 }
        let threshold = apexFraction * lip[apex]
        var apexStart = apex, apexEnd = apex
        while apexStart > 1 && lip[apexStart - 1] >= threshold { apexStart -= 1 }
        while apexEnd < frames.count - 2 && lip[apexEnd + 1] >= threshold { apexEnd += 1 }
        let spans = [0...apexStart, apexStart...apexEnd, apexEnd...(frames.count - 1)]

        var out: [Double] = []
        for span in spans {
            out.append(Double(span.upperBound - span.lowerBound) / fps)
            var amplitudes: [Double] = [], meanSpeeds: [Double] = []
            for d in signals {
                let m = measure(Array(d[span]), fps: fps)
                out += m
                amplitudes.append(m[0])
                meanSpeeds.append(m[1])
            }
            for (l, r) in [(0, 1), (2, 3)] {
                out.append(ratio(amplitudes[l], amplitudes[r]))
                out.append(ratio(meanSpeeds[l], meanSpeeds[r]))
            }
        }
        return out
    }

    /// amplitude, mean |v|, max |v|, mean |a|, max |a| of one signal over one phase.
    static func measure(_ d: [Double], fps: Double) -> [Double] {
        let amplitude = (d.max() ?? 0) - (d.min() ?? 0)
        let v = zip(d.dropFirst(), d).map { ($0 - $1) * fps }
        let a = zip(v.dropFirst(), v).map { ($0 - $1) * fps }
        func meanAbs(_ x: [Double]) -> Double { x.isEmpty ? 0 : x.map(abs).reduce(0, +) / Double(x.count) }
        func maxAbs(_ x: [Double]) -> Double { x.map(abs).max() ?? 0 }
        return [amplitude, meanAbs(v), maxAbs(v), meanAbs(a), maxAbs(a)]
    }

    static func ratio(_ left: Double, _ right: Double) -> Double {
        let floor = 1e-9
        if right < floor { return left < floor ? 1 : left / floor }
        return left / right
    }
}
