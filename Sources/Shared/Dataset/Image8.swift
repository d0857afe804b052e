import Foundation

/// An 8-bit image in OpenCV's layout (rows x cols x channels, channel fastest, BGR order), held
/// as a plain Swift value: the data core composes inputs from it without linking OpenCV. Decoding and
/// encoding files live in the Preprocessing module (`Image8.readColor`, `decodeColor`, `write`).
public struct Image8: Equatable, Sendable {
    public var rows: Int
    public var cols: Int
    public var channels: Int
    public var pixels: [UInt8]

    public init(rows: Int, cols: Int, channels: Int, pixels: [UInt8]) {
        precondition(pixels.count == rows * cols * channels, "pixel count does not match \(rows)x\(cols)x\(channels)")
        self.rows = rows
        self.cols = cols
        self.channels = channels
        self.pixels = pixels
    }
}
