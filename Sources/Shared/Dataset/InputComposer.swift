/// Builds HTNet's 28x28x3 input from a flow image and five landmarks, exactly as the reference
/// does (docs/DESIGN.md section 4): four 14x14 crops around the eyes and mouth corners tiled as
/// [[left eye | right eye], [left mouth | right mouth]] (the nose is not used), stored as float
/// CHW in the flow image's BGR channel order, values 0...255 with no normalisation.
public struct InputComposer: Sendable {
    public static let imageSize = 28
    public static let channels = 3
    public static let cropSize = 14
    /// Landmarks are clamped to this range so that every crop stays inside the frame.
    static let centreRange: ClosedRange<Double> = 7...21
    /// Landmark indices in tile order: top-left, top-right, bottom-left, bottom-right.
    static let tileLandmarks = [0, 1, 3, 4]

    public var crop: CropRule

    public init(crop: CropRule = .reference) { self.crop = crop }

    /// The crop's top-left corner (row, column) for one landmark: clamp each coordinate to [7, 21],
    /// truncate to an integer, step back half a crop.
    func origin(of point: FaceLandmarks.Point) -> (row: Int, col: Int) {
        let x = Int(min(max(point.x, Self.centreRange.lowerBound), Self.centreRange.upperBound))
        let y = Int(min(max(point.y, Self.centreRange.lowerBound), Self.centreRange.upperBound))
        let half = Self.cropSize / 2
        switch crop {
        case .reference: return (x - half, y - half)
        case .geometric: return (y - half, x - half)
        }
    }

    /// Appends the composed input (3 * 28 * 28 floats, CHW) for a 28x28x3 image to `out`.
    public func compose(_ image: Image8, landmarks: FaceLandmarks, into out: inout [Float]) {
        let size = Self.imageSize, c = Self.channels, crop = Self.cropSize
        precondition(image.rows == size && image.cols == size && image.channels == c,
                     "compose needs a 28x28x3 image")
        let base = out.count
        out.append(contentsOf: repeatElement(0, count: c * size * size))
        for (tile, landmark) in Self.tileLandmarks.enumerated() {
            let (r0, c0) = origin(of: landmarks.points[landmark])
            let tileRow = (tile / 2) * crop, tileCol = (tile % 2) * crop
            for i in 0..<crop {
                for j in 0..<crop {
                    let pixel = ((r0 + i) * size + (c0 + j)) * c
                    for channel in 0..<c {
                        out[base + (channel * size + tileRow + i) * size + tileCol + j] = Float(image.pixels[pixel + channel])
                    }
                }
            }
        }
    }

    public func compose(_ image: Image8, landmarks: FaceLandmarks) -> [Float] {
        var out: [Float] = []
        compose(image, landmarks: landmarks, into: &out)
        return out
    }
}
