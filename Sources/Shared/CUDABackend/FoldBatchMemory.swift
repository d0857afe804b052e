import HTNet

/// How much device memory a fold batch takes, counted from the GPU engine's own allocations
/// (StackedHTNet built on a device that only adds up what it is asked for), so the figure cannot
/// drift from the engine: per member (its parameters, gradients, both Adam moments and the
/// activations of one stacked batch) and fixed (what does not grow with the members).
public struct FoldBatchMemory: Equatable, Sendable {
    public let bytesPerMember: Int
    public let fixedBytes: Int

    /// `stackedBatch`: the largest member batch (at most training.batch_size; the scheduler uses
    /// batch_size, an upper bound).
    public init(model: HTNetConfig, stackedBatch: Int) throws {
        let one = try Self.allocatedBytes(model: model, members: 1, stackedBatch: stackedBatch)
        let two = try Self.allocatedBytes(model: model, members: 2, stackedBatch: stackedBatch)
        // The trainer's own per-member buffers (step sizes, bias corrections, active flags) are a few floats.
        bytesPerMember = two - one + 16
        fixedBytes = max(0, one - bytesPerMember)
    }

    /// Members that fit in `freeBytes`, keeping a reserve for cuBLAS's workspace, the kernel module
    /// and fragmentation (a tenth of the free memory, at least 512 MiB). 0 when not even one does.
    public func members(fitting freeBytes: Int) -> Int {
        let reserve = max(512 << 20, freeBytes / 10)
        let usable = freeBytes - reserve - fixedBytes
        return usable > 0 ? usable / bytesPerMember : 0
    }

    static func allocatedBytes(model: HTNetConfig, members: Int, stackedBatch: Int) throws -> Int {
        let counter = AllocationCounter()
        _ = try StackedHTNet(device: counter, config: model, models: members, stackedBatch: stackedBatch)
        return counter.bytes
    }
}

/// A KernelDevice that allocates nothing and runs nothing: it adds up allocation sizes.
final class AllocationCounter: KernelDevice {
    private(set) var bytes = 0
    private var next: UInt64 = 256

    func allocate(bytes: Int) throws -> DeviceBuffer {
        self.bytes += bytes
        defer { next += UInt64(bytes + 256) }
        return DeviceBuffer(pointer: next, bytes: bytes) { _ in }
    }
    func upload(_ bytes: UnsafeRawBufferPointer, to buffer: DeviceBuffer) throws {}
    func download(_ bytes: UnsafeMutableRawBufferPointer, from buffer: DeviceBuffer) throws {}
    func zero(_ buffer: DeviceBuffer, bytes: Int) throws {}
    func launch(_ name: String, gridX: UInt32, gridY: UInt32, block: UInt32, arguments: UnsafeMutablePointer<UnsafeMutableRawPointer?>) throws {}
    func sgemmStridedBatchedColumnMajor(transA: Int32, transB: Int32, m: Int32, n: Int32, k: Int32, alpha: Float,
                                        a: UInt64, lda: Int32, strideA: Int64, b: UInt64, ldb: Int32, strideB: Int64,
                                        beta: Float, c: UInt64, ldc: Int32, strideC: Int64, batch: Int32) throws {}
    func synchronize() throws {}
}
