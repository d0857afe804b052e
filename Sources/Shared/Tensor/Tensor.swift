/// A dense float32 array with a shape, row-major (the last dimension is fastest).
///
/// Used at the edges of the engine (checkpoints, fixtures, datasets). Inside the training step the
/// engine works on raw buffers it owns, so this type stays a plain value with no behaviour of its own.
public struct Tensor: Equatable, Sendable {
    public var shape: [Int]
    public var data: [Float]

    public init(shape: [Int], data: [Float]) {
        precondition(shape.reduce(1, *) == data.count,
                     "Tensor shape \(shape) does not match \(data.count) elements")
        self.shape = shape
        self.data = data
    }

    public init(zeros shape: [Int]) {
        self.shape = shape
        self.data = [Float](repeating: 0, count: shape.reduce(1, *))
    }

    public var count: Int { data.count }

    public var maxAbs: Float { data.reduce(0) { max($0, abs($1)) } }
}
