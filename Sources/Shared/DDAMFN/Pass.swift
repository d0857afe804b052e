/// A raw float pointer: layers read and write the model's buffers through these.
typealias Floats = UnsafeMutablePointer<Float>

/// Activations are channel-major, [C, B, H, W]: one channel's planes for the whole batch are
/// contiguous, so a 1x1 convolution is one sgemm over B x H x W columns, and BatchNorm and PReLU
/// work on one contiguous block per channel. The model converts at its edges (NCHW images in,
/// NCHW views of activations for checks).
///
/// What one forward or backward pass works on: the model's parameter, gradient and statistics
/// buffers, the batch size of this pass and the mode (train mode normalises with batch statistics
/// and updates the running ones; eval mode uses the running statistics).
struct Pass {
    let parameters: Floats
    let gradients: Floats
    let statistics: Floats
    let counters: UnsafeMutablePointer<Int>
    let batch: Int
    let training: Bool
}
