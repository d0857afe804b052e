import Foundation

/// How a sample's D-Markers were tracked, kept in its SampleRecord and listed in the report.
public struct DMarkerTracking: Codable, Equatable, Sendable {
    /// Frames tracked (onset to offset, every `stride`-th).
    public var frames: Int
    /// Tracked frames where dlib found no face, filled by interpolation (`LandmarkTrack`).
    public var interpolated: Int
    /// Frames per second the speeds and durations use (the dataset's rate / stride).
    public var fps: Double
    /// Why the sample has no D-Markers (nil when it has them).
    public var missingReason: String?

    /// One phrase for the report.
    public var summary: String {
        if let missingReason { return "none: \(missingReason)" }
        return "\(frames) frames at \(fps) fps, \(interpolated) interpolated"
    }
}
