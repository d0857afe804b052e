import Dataset
import OpenCVRuntime

/// Turns a face's onset -> apex flow into the 28x28 model input the loader reads: horizontal flow,
/// vertical flow and optical strain, each resized to 28x28 (INTER_AREA) and then min-max
/// normalised to 0...255 on its own (so every channel spans exactly 0...255, as in the reference
/// composite), stored so that cv::imread returns channel 0 = strain, 1 = vertical, 2 = horizontal.
///
/// That channel order is measured, not assumed: on the shipped composite's flow PNGs read with
/// imread, channel 0 is the one that matches the strain of the other two (correlation 0.80 against
/// -0.05 and -0.02); channel 2 is antisymmetric left/right on smiles (horizontal flow) and channel 1
/// antisymmetric top/bottom on surprise (vertical flow). The reference wrote (u, v, strain) as RGB.
public enum OpticalFlowImage {
    public static let size = InputComposer.imageSize

    public static func make(from flow: OpticalFlowField) -> Image8 {
        let planes = [flow.strain, flow.v, flow.u].map { resize($0, rows: flow.rows, cols: flow.cols) }
        let n = size * size
        var pixels = [UInt8](repeating: 0, count: n * 3)
        for (channel, plane) in planes.enumerated() {
            let normalised = normalise(plane)
            for i in 0..<n { pixels[3 * i + channel] = normalised[i] }
        }
        return Image8(rows: size, cols: size, channels: 3, pixels: pixels)
    }

    /// Min-max to 0...255, rounded; a constant plane becomes 0 (nothing moved, nothing to show).
    static func normalise(_ plane: [Float]) -> [UInt8] {
        let low = plane.min() ?? 0, high = plane.max() ?? 0
        let range = high - low
        guard range > 1e-12 else { return [UInt8](repeating: 0, count: plane.count) }
        return plane.map { UInt8(max(0, min(255, (255 * ($0 - low) / range).rounded()))) }
    }

    /// cv::resize of one float plane to 28x28, INTER_AREA (the right filter for shrinking).
    static func resize(_ plane: [Float], rows: Int, cols: Int) -> [Float] {
        if rows == size && cols == size { return plane }
        var out = [Float](repeating: 0, count: size * size)
        let interpolation: Int32 = rows * cols > size * size ? 3 : 1
        let status = plane.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                cvb_resize_f32(input.baseAddress, Int32(rows), Int32(cols), 1, Int32(size), Int32(size),
                               interpolation, output.baseAddress)
            }
        }
        precondition(status == 0, "cv::resize failed on a valid float plane")
        return out
    }
}
