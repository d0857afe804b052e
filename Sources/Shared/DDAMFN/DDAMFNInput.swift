import Foundation

/// What DDAMFN sees of a dataset image: the composed inputs are BGR, 0..255, [3, S, S] (the dataset
/// module's convention for every architecture); DDAMFN takes RGB [3, 112, 112] scaled to 0..1 and
/// normalised by ImageNet's mean and std (the reference's transforms.Normalize). Images of another
/// side are resized bilinearly (half-pixel centres, as torchvision's Resize on upscaling), so the
/// same dataset can feed HTNet at 28x28 and DDAMFN at 112x112: same samples, labels and subjects.
public enum DDAMFNInput {
    public static let side = DDAMFNConfig.imageSize
    public static let sampleSize = 3 * side * side
    /// ImageNet mean and std, RGB order.
    public static let mean: [Float] = [0.485, 0.456, 0.406]
    public static let std: [Float] = [0.229, 0.224, 0.225]

    /// The value a black (0) pixel has after normalisation, per RGB channel: the padding of `crop`.
    public static var normalisedBlack: [Float] { (0..<3).map { -mean[$0] / std[$0] } }

    /// Converts one BGR 0..255 image [3, inputSide, inputSide] to DDAMFN's input at `out`.
    public static func convert(_ image: UnsafePointer<Float>, inputSide s: Int, into out: UnsafeMutablePointer<Float>) {
        let n = side, plane = n * n
        for c in 0..<3 {
            let src = image + (2 - c) * s * s   // RGB channel c is BGR channel 2 - c
            let dst = out + c * plane
            let scale = 1 / (255 * std[c]), shift = mean[c] / std[c]
            if s == n {
                for i in 0..<plane { dst[i] = src[i] * scale - shift }
                continue
            }
            let ratio = Float(s) / Float(n)
            for y in 0..<n {
                let fy = max(0, (Float(y) + 0.5) * ratio - 0.5)
                let y0 = min(Int(fy), s - 1), y1 = min(y0 + 1, s - 1), wy = fy - Float(y0)
                for x in 0..<n {
                    let fx = max(0, (Float(x) + 0.5) * ratio - 0.5)
                    let x0 = min(Int(fx), s - 1), x1 = min(x0 + 1, s - 1), wx = fx - Float(x0)
                    let top = src[y0 * s + x0] * (1 - wx) + src[y0 * s + x1] * wx
                    let bottom = src[y1 * s + x0] * (1 - wx) + src[y1 * s + x1] * wx
                    dst[y * n + x] = (top * (1 - wy) + bottom * wy) * scale - shift
                }
            }
        }
    }

    /// The side of a square 3-channel image of `sampleSize` values, or nil.
    public static func inputSide(sampleSize: Int) -> Int? {
        guard sampleSize % 3 == 0 else { return nil }
        let s = Int(Double(sampleSize / 3).squareRoot().rounded())
        return s * s * 3 == sampleSize && s > 0 ? s : nil
    }
}
