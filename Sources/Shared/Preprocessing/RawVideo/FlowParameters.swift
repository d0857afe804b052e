import Dataset
/// Which optical-flow algorithm computes onset -> apex motion, with its parameters. Part of the
/// preprocessing parameters, so changing any of them makes a re-run recompute every sample.
public struct FlowParameters: Codable, Equatable, Sendable {
    public enum Method: String, Codable, CaseIterable, Sendable {
        /// cv::calcOpticalFlowFarneback (OpenCV's video module; always available).
        case farneback
        /// cv::optflow::DualTVL1OpticalFlow (opencv_contrib), the reference pipeline's choice.
        case tvl1
    }

    public var method: Method = .farneback
    // Farneback (OpenCV's argument names and common defaults).
    public var pyrScale = 0.5
    public var levels = 3
    public var winsize = 15
    public var iterations = 3
    public var polyN = 5
    public var polySigma = 1.2
    public var gaussianWindow = false
    // TV-L1 (OpenCV's defaults).
    public var tau = 0.25
    public var lambda = 0.15
    public var theta = 0.3
    public var scales = 5
    public var warps = 5

    public init() {}

    /// A one-line description for progress output and the report.
    public var summary: String {
        switch method {
        case .farneback:
            return "farneback pyr_scale \(pyrScale) levels \(levels) winsize \(winsize) iterations \(iterations) poly_n \(polyN) poly_sigma \(polySigma)\(gaussianWindow ? " gaussian" : "")"
        case .tvl1:
            return "tvl1 tau \(tau) lambda \(lambda) theta \(theta) scales \(scales) warps \(warps)"
        }
    }
}
