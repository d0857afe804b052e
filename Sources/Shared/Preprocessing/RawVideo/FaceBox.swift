import Dataset
/// An axis-aligned face rectangle in pixels (x = column, y = row of the top-left corner), as
/// OpenCV's detectors report it. The onset frame's box crops both onset and apex, so the flow
/// between the two crops is the face's own motion, not a change of crop.
public struct FaceBox: Codable, Equatable, Sendable {
    public var x: Int
    public var y: Int
    public var width: Int
    public var height: Int

    public init(x: Int, y: Int, width: Int, height: Int) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
    }

    /// The largest centred square of a frame: the fallback when no face is found.
    public static func centredSquare(rows: Int, cols: Int) -> FaceBox {
        let side = min(rows, cols)
        return FaceBox(x: (cols - side) / 2, y: (rows - side) / 2, width: side, height: side)
    }

    /// The part of the box inside a rows x cols image (at least one pixel).
    public func clamped(rows: Int, cols: Int) -> FaceBox {
        let x0 = max(0, min(x, cols - 1)), y0 = max(0, min(y, rows - 1))
        let x1 = max(x0 + 1, min(x + width, cols)), y1 = max(y0 + 1, min(y + height, rows))
        return FaceBox(x: x0, y: y0, width: x1 - x0, height: y1 - y0)
    }

    /// "x,y,w,h", as written to the preprocessing report.
    public var text: String { "\(x) \(y) \(width) \(height)" }
}
