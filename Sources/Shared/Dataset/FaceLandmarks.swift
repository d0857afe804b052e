/// The five MTCNN landmarks of a face in the 28x28 frame: left eye, right eye, nose, left mouth
/// corner, right mouth corner, each as (x, y) exactly as the reference pipeline stores them.
public struct FaceLandmarks: Codable, Equatable, Sendable {
    public struct Point: Codable, Equatable, Sendable {
        public var x: Double
        public var y: Double
        public init(x: Double, y: Double) {
            self.x = x
            self.y = y
        }
    }

    /// In the reference order: left eye, right eye, nose, left mouth corner, right mouth corner.
    public var points: [Point]

    public init(points: [Point]) {
        precondition(points.count == 5, "five landmarks, got \(points.count)")
        self.points = points
    }

    /// What the reference uses when MTCNN finds no face (docs/DESIGN.md section 4).
    public static let fallback = FaceLandmarks(points: [
        Point(x: 9.528073, y: 11.062551), Point(x: 21.396168, y: 10.919773),
        Point(x: 15.380184, y: 17.380562), Point(x: 10.255435, y: 22.121233),
        Point(x: 20.583706, y: 22.25584),
    ])

    /// The landmarks-CSV column names, in `points` order, x before y.
    public static let columnNames = ["lx_eye", "ly_eye", "rx_eye", "ry_eye", "x_nose", "y_nose",
                                     "lx_mouth", "ly_mouth", "rx_mouth", "ry_mouth"]
}
