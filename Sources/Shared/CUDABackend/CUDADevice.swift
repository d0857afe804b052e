import CCUDA
import Foundation

/// One CUDA device made current for this process (its primary context, which cuBLAS shares),
/// with the engine's kernels compiled for it and a cuBLAS handle.
public final class CUDADevice {
    public let ordinal: Int
    public let name: String
    public let computeCapability: (major: Int, minor: Int)
    public let totalMemory: Int
    public let driverVersion: Int
    let module: UnsafeMutableRawPointer
    let functions: [String: UnsafeMutableRawPointer]
    let cublas: UnsafeMutableRawPointer
    /// How the kernels were obtained (compiled, or the cache file).
    public let kernelOrigin: String

    /// Opens the driver, cuBLAS and NVRTC, selects device `ordinal`, compiles (or loads from the
    /// cache) the kernels for its architecture. `tf32` lets cuBLAS use TF32 tensor cores (an
    /// explicit option; fp32 otherwise).
    public init(ordinal: Int, tf32: Bool = false) throws {
        try CUDALibraries.openDriver()
        var count: Int32 = 0
        try check(loso_cuda_device_count(&count), "cuDeviceGetCount")
        guard ordinal < count else { throw CUDAError.noDevice(ordinal: ordinal, count: Int(count)) }
        var nameBuffer = [CChar](repeating: 0, count: 256)
        var major: Int32 = 0, minor: Int32 = 0, total = 0, version: Int32 = 0
        try check(loso_cuda_select(Int32(ordinal), &nameBuffer, nameBuffer.count, &major, &minor, &total), "cuDevicePrimaryCtxRetain")
        try check(loso_cuda_driver_version(&version), "cuDriverGetVersion")
        self.ordinal = ordinal
        name = String(cString: nameBuffer)
        computeCapability = (Int(major), Int(minor))
        totalMemory = total
        driverVersion = Int(version)

        let compiled = try NVRTCCompiler(architecture: "sm_\(major)\(minor)").compile(source: CUDAKernelSource.source)
        kernelOrigin = compiled.origin
        var module: UnsafeMutableRawPointer?
        try compiled.image.withUnsafeBytes { try check(loso_cuda_module_load(&module, $0.baseAddress!), "cuModuleLoadData") }
        self.module = module!
        var functions: [String: UnsafeMutableRawPointer] = [:]
        for name in CUDAKernelSource.kernelNames {
            var f: UnsafeMutableRawPointer?
            try check(loso_cuda_function(&f, module, name), "cuModuleGetFunction(\(name))")
            functions[name] = f!
        }
        self.functions = functions

        try CUDALibraries.openCUBLAS()
        var handle: UnsafeMutableRawPointer?
        let status = loso_cublas_create(&handle)
        guard status == 0, let handle else { throw CUDAError.cublas(call: "cublasCreate", status: status) }
        let mode = loso_cublas_set_math_mode(handle, tf32 ? 3 : 0)
        guard mode == 0 else { throw CUDAError.cublas(call: "cublasSetMathMode", status: mode) }
        cublas = handle
    }

    public var description: String {
        String(format: "cuda:%d %@ (sm_%d%d, %.1f GiB, driver %d.%d), kernels %@", ordinal, name, computeCapability.major,
               computeCapability.minor, Double(totalMemory) / 1073741824, driverVersion / 1000, (driverVersion % 1000) / 10, kernelOrigin)
    }

    // MARK: memory

    /// A device allocation of `count` floats (or other 4-byte values).
    public final class Buffer {
        public let pointer: UInt64
        public let bytes: Int
        init(bytes: Int) throws {
            var p: UInt64 = 0
            try check(loso_cuda_alloc(&p, bytes), "cuMemAlloc(\(bytes) bytes)")
            pointer = p
            self.bytes = bytes
            try check(loso_cuda_memset_zero(p, bytes), "cuMemsetD8")
        }
        deinit { _ = loso_cuda_free(pointer) }
    }

    public func allocate<T>(_ type: T.Type, count: Int) throws -> Buffer {
        try Buffer(bytes: max(1, count) * MemoryLayout<T>.stride)
    }

    public func upload<T>(_ values: [T], to buffer: Buffer) throws {
        precondition(values.count * MemoryLayout<T>.stride <= buffer.bytes, "upload larger than the buffer")
        try values.withUnsafeBytes { try check(loso_cuda_upload(buffer.pointer, $0.baseAddress!, $0.count), "cuMemcpyHtoD") }
    }

    public func download<T>(_ type: T.Type, count: Int, from buffer: Buffer) throws -> [T] where T: Numeric {
        var out = [T](repeating: 0, count: count)
        try out.withUnsafeMutableBytes { try check(loso_cuda_download($0.baseAddress!, buffer.pointer, $0.count), "cuMemcpyDtoH") }
        return out
    }

    public func synchronize() throws { try check(loso_cuda_synchronize(), "cuCtxSynchronize") }

    // MARK: launches

    /// One kernel argument: a device pointer or a scalar, passed by address as cuLaunchKernel wants.
    public enum Argument {
        case buffer(Buffer?)
        case int32(Int32)
        case int64(Int64)
        case float(Float)
    }

    /// Launches kernel `name` on a grid (x, models) of `block`-thread blocks covering `elements`.
    public func launch(_ name: String, elements: Int, models: Int = 1, block: Int = 256, _ arguments: [Argument]) throws {
        guard let function = functions[name] else { preconditionFailure("no kernel named \(name)") }
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
            try check(loso_cuda_launch(function, blocks, UInt32(models), 1, UInt32(block), 1, 1, 0, $0.baseAddress), "cuLaunchKernel(\(name))")
        }
    }

    /// Row-major C[f] = alpha op(A[f]) op(B[f]) + beta C[f] for f in 0..<batch, one
    /// cublasSgemmStridedBatched call (row-major is column-major with A and B swapped). Strides in floats.
    public func gemmStridedBatched(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                                   a: Buffer, aOffset: Int = 0, lda: Int, strideA: Int,
                                   b: Buffer, bOffset: Int = 0, ldb: Int, strideB: Int, beta: Float,
                                   c: Buffer, cOffset: Int = 0, ldc: Int, strideC: Int, batch: Int) throws {
        let status = loso_cublas_sgemm_strided_batched(
            cublas, transB ? 1 : 0, transA ? 1 : 0, Int32(n), Int32(m), Int32(k), alpha,
            b.pointer + UInt64(bOffset * 4), Int32(ldb), Int64(strideB),
            a.pointer + UInt64(aOffset * 4), Int32(lda), Int64(strideA), beta,
            c.pointer + UInt64(cOffset * 4), Int32(ldc), Int64(strideC), Int32(batch))
        if status != 0 { throw CUDAError.cublas(call: "cublasSgemmStridedBatched", status: status) }
    }
}
