import Foundation
import Tensor

/// Additive white Gaussian noise at a given signal-to-noise ratio, for input-noise robustness.
///
/// Convention: the signal power is measured per sample, P = mean of x^2 over that sample's input
/// values exactly as the model sees them (composed BGR, 0..255); the noise is N(0, P / 10^(SNR/10))
/// on every value. SNR = +inf leaves the sample unchanged. Each sample's noise comes from its own
/// stream, DeterministicRNG(keys: keys + [level bits, sample key]), so a sample gets the same noise
/// whichever task, batch or worker evaluates it.
public enum InputNoise {
    public static func noisy(_ inputs: [Float], sampleSize: Int, snrDB: Double, keys: [UInt64], sampleKeys: [UInt64]) -> [Float] {
        precondition(inputs.count == sampleKeys.count * sampleSize, "\(inputs.count) values for \(sampleKeys.count) samples of \(sampleSize)")
        guard snrDB.isFinite else { return inputs }
        var out = inputs
        for (s, key) in sampleKeys.enumerated() {
            let start = s * sampleSize
            var power = 0.0
            for i in start..<(start + sampleSize) { power += Double(inputs[i]) * Double(inputs[i]) }
            power /= Double(sampleSize)
            let sigma = Float((power / Foundation.pow(10, snrDB / 10)).squareRoot())
            var rng = DeterministicRNG(keys: keys + [snrDB.bitPattern, key])
            for i in start..<(start + sampleSize) { out[i] += sigma * rng.normal() }
        }
        return out
    }

    /// The SNR levels of the robustness study by default, in dB.
    public static let defaultLevels: [Double] = [.infinity, 30, 20, 10, 5, 0]
}
