/// A fixed-size, zero-initialised float32 allocation owned by one layer or optimizer.
///
/// The engine allocates every activation and gradient buffer once, at the largest batch it will see,
/// so a training step performs no allocation; a class (not an Array) keeps that storage stable and
/// lets kernels take raw pointers without copy-on-write surprises.
public final class FloatBuffer {
    public let count: Int
    public let pointer: UnsafeMutablePointer<Float>
    /// The view that made it keeps the storage alive (nil: this buffer owns its allocation).
    private let owner: AnyObject?

    public init(count: Int) {
        self.count = count
        pointer = .allocate(capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
        owner = nil
    }

    /// `count` values of `buffer` from `offset` on, without copying: fold-batched training keeps F
    /// models' parameters in one stacked buffer and gives each model a view of its slice.
    public init(viewing buffer: FloatBuffer, offset: Int, count: Int) {
        precondition(offset >= 0 && offset + count <= buffer.count, "view \(offset)..<\(offset + count) outside a buffer of \(buffer.count)")
        self.count = count
        pointer = buffer.pointer + offset
        owner = buffer
    }

    deinit { if owner == nil { pointer.deallocate() } }

    public func zero() { pointer.update(repeating: 0, count: count) }

    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    public func copy(from values: [Float]) {
        precondition(values.count == count, "copying \(values.count) values into a buffer of \(count)")
        values.withUnsafeBufferPointer { pointer.update(from: $0.baseAddress!, count: count) }
    }

    @inline(__always) public subscript(i: Int) -> Float {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }
}
