import Foundation

/// dlib's 68 points on a clip's tracked frames, with the frames where dlib found no face filled in:
/// linearly between the nearest frames on either side where it did, and at the ends held at the
/// nearest such frame. How many were filled is kept, for the report.
public struct LandmarkTrack: Sendable {
    /// The tracked frame numbers, in order.
    public var frames: [Int]
    /// 68 (x, y) points per tracked frame, after filling.
    public var points: [[(x: Double, y: Double)]]
    /// Whether dlib found the face on each tracked frame.
    public var detected: [Bool]

    public var filledCount: Int { detected.filter { !$0 }.count }

    public struct Untrackable: Error, CustomStringConvertible {
        public let description: String
    }

    /// `found[i]`: dlib's points on `frames[i]`, or nil where it found no face. Fails when the face
    /// was found on fewer than two frames or on less than `minimumDetectedFraction` of them.
    public init(frames: [Int], found: [[(x: Double, y: Double)]?],
                minimumDetectedFraction: Double = DMarkerParameters.minimumDetectedFraction) throws {
        precondition(frames.count == found.count)
        let known = found.indices.filter { found[$0] != nil }
        guard known.count >= 2, Double(known.count) >= minimumDetectedFraction * Double(found.count) else {
            throw Untrackable(description: "dlib found the face on \(known.count) of \(found.count) tracked frames (at least 2 and \(Int(minimumDetectedFraction * 100)) % needed)")
        }
        var filled: [[(x: Double, y: Double)]] = []
        for i in found.indices {
            if let p = found[i] { filled.append(p); continue }
            let before = known.last { $0 < i }, after = known.first { $0 > i }
            switch (before, after) {
            case let (b?, a?):
                let w = Double(i - b) / Double(a - b)
                filled.append(zip(found[b]!, found[a]!).map { (x: $0.x + w * ($1.x - $0.x), y: $0.y + w * ($1.y - $0.y)) })
            case let (b?, nil): filled.append(found[b]!)
            case let (nil, a?): filled.append(found[a]!)
            case (nil, nil): fatalError("unreachable: at least two frames are known")
            }
        }
        self.frames = frames
        self.points = filled
        self.detected = found.map { $0 != nil }
    }

    /// The tracked frames of a clip: onset, onset + stride, ... up to `offset`, and the index of
    /// the one nearest the apex (the earlier on a tie).
    public static func trackedFrames(onset: Int, apex: Int, offset: Int, stride: Int) -> (frames: [Int], apexIndex: Int) {
        let frames = Array(Swift.stride(from: onset, through: offset, by: max(1, stride)))
        let apexIndex = frames.indices.min { abs(frames[$0] - apex) < abs(frames[$1] - apex) }!
        return (frames, apexIndex)
    }
}
