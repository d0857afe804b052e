import Foundation
import Tensor

/// The reference's training transforms on one normalised [3, 112, 112] image, in its order (crop,
/// flip, then erasing after normalisation), each switchable. Conventions (torchvision's):
/// `crop` takes a random 112x112 window of the image padded by 8 black pixels (the reference applies
/// it together with a 5 degree rotation at p 0.2; rotation is not done here); `flip` mirrors
/// left-right at p 0.5; `erasing` (RandomErasing defaults) at p 0.5 blanks one rectangle of 2-25 %
/// of the area and aspect ratio in [0.3, 3.3] (log-uniform) with 0, up to 10 tries.
/// Randomness comes from the caller's generator, seeded per (task, epoch, sample), so augmentation
/// is the same for any batch size, worker or thread count, and a resumed fold repeats it.
public struct DDAMFNAugmentation: Sendable, Equatable {
    public var crop: Bool, flip: Bool, erasing: Bool
    public static let cropPadding = 8
    public init(crop: Bool = true, flip: Bool = true, erasing: Bool = true) {
        self.crop = crop; self.flip = flip; self.erasing = erasing
    }
    public var isEnabled: Bool { crop || flip || erasing }

    public func apply(_ image: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>, rng: inout DeterministicRNG) {
        let n = DDAMFNInput.side, plane = n * n
        if crop {
            let p = DDAMFNAugmentation.cropPadding
            let dy = rng.below(2 * p + 1) - p, dx = rng.below(2 * p + 1) - p
            let black = DDAMFNInput.normalisedBlack
            scratch.update(from: image, count: 3 * plane)
            for c in 0..<3 {
                let src = scratch + c * plane, dst = image + c * plane
                for y in 0..<n {
                    let sy = y + dy
                    for x in 0..<n {
                        let sx = x + dx
                        dst[y * n + x] = (sy >= 0 && sy < n && sx >= 0 && sx < n) ? src[sy * n + sx] : black[c]
                    }
                }
            }
        }
        if flip, rng.nextUnitDouble() < 0.5 {
            for c in 0..<3 {
                for y in 0..<n {
                    let row = image + c * plane + y * n
                    for x in 0..<(n / 2) { let t = row[x]; row[x] = row[n - 1 - x]; row[n - 1 - x] = t }
                }
            }
        }
        if erasing, rng.nextUnitDouble() < 0.5 {
            let area = Double(plane)
            for _ in 0..<10 {
                let target = area * (0.02 + (0.25 - 0.02) * rng.nextUnitDouble())
                let logRatio = log(0.3) + (log(3.3) - log(0.3)) * rng.nextUnitDouble()
                let ratio = exp(logRatio)
                let h = Int((target * ratio).squareRoot().rounded()), w = Int((target / ratio).squareRoot().rounded())
                guard h < n, w < n, h > 0, w > 0 else { continue }
                let top = rng.below(n - h + 1), left = rng.below(n - w + 1)
                for c in 0..<3 {
                    for y in top..<(top + h) { (image + c * plane + y * n + left).update(repeating: 0, count: w) }
                }
                break
            }
        }
    }
}
