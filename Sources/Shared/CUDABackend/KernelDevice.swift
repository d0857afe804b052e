/// What runs the engine's kernels: a CUDA GPU (CUDADevice), or in tests the kernel emulator that
/// compiles the same CUDA C for the CPU (CUDABackendTests). Device addresses are UInt64; arguments
/// are passed as cuLaunchKernel takes them (an array of pointers to each argument's value).
public protocol KernelDevice: AnyObject {
    func allocate(bytes: Int) throws -> DeviceBuffer
    func upload(_ bytes: UnsafeRawBufferPointer, to buffer: DeviceBuffer) throws
    func download(_ bytes: UnsafeMutableRawBufferPointer, from buffer: DeviceBuffer) throws
    /// Sets the first `bytes` bytes of `buffer` to zero on the device (no host copy).
    func zero(_ buffer: DeviceBuffer, bytes: Int) throws
    /// Launches kernel `name` on a (gridX, gridY) grid of `block`-thread blocks.
    func launch(_ name: String, gridX: UInt32, gridY: UInt32, block: UInt32, arguments: UnsafeMutablePointer<UnsafeMutableRawPointer?>) throws
    /// cublasSgemmStridedBatched's contract: column-major, trans 0 = N, 1 = T, strides in floats.
    func sgemmStridedBatchedColumnMajor(transA: Int32, transB: Int32, m: Int32, n: Int32, k: Int32, alpha: Float,
                                        a: UInt64, lda: Int32, strideA: Int64, b: UInt64, ldb: Int32, strideB: Int64,
                                        beta: Float, c: UInt64, ldc: Int32, strideC: Int64, batch: Int32) throws
    func synchronize() throws
}

/// One device allocation; `release` frees it when the buffer goes.
public final class DeviceBuffer {
    public let pointer: UInt64
    public let bytes: Int
    let release: (UInt64) -> Void
    public init(pointer: UInt64, bytes: Int, release: @escaping (UInt64) -> Void) {
        self.pointer = pointer
        self.bytes = bytes
        self.release = release
    }
    deinit { release(pointer) }
}

/// One kernel argument: a device buffer or a scalar, stored by value in an 8-byte slot.
public enum KernelArgument {
    case buffer(DeviceBuffer?)
    case int32(Int32)
    case int64(Int64)
    case float(Float)
}

extension KernelDevice {
    public func allocate<T>(_ type: T.Type, count: Int) throws -> DeviceBuffer {
        try allocate(bytes: max(1, count) * MemoryLayout<T>.stride)
    }

    public func upload<T>(_ values: [T], to buffer: DeviceBuffer) throws {
        precondition(values.count * MemoryLayout<T>.stride <= buffer.bytes, "upload larger than the buffer")
        try values.withUnsafeBytes { try upload($0, to: buffer) }
    }

    public func download<T: Numeric>(_ type: T.Type, count: Int, from buffer: DeviceBuffer) throws -> [T] {
        var out = [T](repeating: 0, count: count)
        try out.withUnsafeMutableBytes { try download($0, from: buffer) }
        return out
    }

    /// Launches `name` over `elements` threads in blocks of `block` (grid x), once per model (grid y).
    public func launch(_ name: String, elements: Int, models: Int = 1, block: Int = 256, _ arguments: [KernelArgument]) throws {
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(1, arguments.count) * 8, alignment: 8)
        defer { storage.deallocate() }
        var pointers: [UnsafeMutableRawPointer?] = []
        for (i, a) in arguments.enumerated() {
            let slot = storage + i * 8
            switch a {
            case let .buffer(b): slot.storeBytes(of: b?.pointer ?? 0, as: UInt64.self)
            case let .int32(v): slot.storeBytes(of: v, as: Int32.self)
            case let .int64(v): slot.storeBytes(of: v, as: Int64.self)
            case let .float(v): slot.storeBytes(of: v, as: Float.self)
            }
            pointers.append(slot)
        }
        let blocks = UInt32(max(1, (elements + block - 1) / block))
        try pointers.withUnsafeMutableBufferPointer {
            try launch(name, gridX: blocks, gridY: UInt32(models), block: UInt32(block), arguments: $0.baseAddress!)
        }
    }

    /// Row-major C[f] = alpha op(A[f]) op(B[f]) + beta C[f] for f in 0..<batch in one strided-batched
    /// call (row-major is column-major with A and B swapped). Offsets and strides in floats.
    public func gemmStridedBatched(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                                   a: DeviceBuffer, aOffset: Int = 0, lda: Int, strideA: Int,
                                   b: DeviceBuffer, bOffset: Int = 0, ldb: Int, strideB: Int, beta: Float,
                                   c: DeviceBuffer, cOffset: Int = 0, ldc: Int, strideC: Int, batch: Int) throws {
        try sgemmStridedBatchedColumnMajor(
            transA: transB ? 1 : 0, transB: transA ? 1 : 0, m: Int32(n), n: Int32(m), k: Int32(k), alpha: alpha,
            a: b.pointer + UInt64(bOffset * 4), lda: Int32(ldb), strideA: Int64(strideB),
            b: a.pointer + UInt64(aOffset * 4), ldb: Int32(lda), strideB: Int64(strideA), beta: beta,
            c: c.pointer + UInt64(cOffset * 4), ldc: Int32(ldc), strideC: Int64(strideC), batch: Int32(batch))
    }
}
