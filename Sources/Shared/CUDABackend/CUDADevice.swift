import CCUDA
import Foundation

/// One CUDA device made current for this process (its primary context, which cuBLAS shares),
/// with the engine's kernels compiled for it and a cuBLAS handle.
public final class CUDADevice: KernelDevice {
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

    // MARK: KernelDevice

    public func allocate(bytes: Int) throws -> DeviceBuffer {
        var p: UInt64 = 0
        try check(loso_cuda_alloc(&p, max(1, bytes)), "cuMemAlloc(\(bytes) bytes)")
        let buffer = DeviceBuffer(pointer: p, bytes: bytes) { _ = loso_cuda_free($0) }
        try check(loso_cuda_memset_zero(p, bytes), "cuMemsetD8")
        return buffer
    }

    public func upload(_ bytes: UnsafeRawBufferPointer, to buffer: DeviceBuffer) throws {
        guard let base = bytes.baseAddress else { return }
        try check(loso_cuda_upload(buffer.pointer, base, bytes.count), "cuMemcpyHtoD")
    }

    public func download(_ bytes: UnsafeMutableRawBufferPointer, from buffer: DeviceBuffer) throws {
        guard let base = bytes.baseAddress else { return }
        try check(loso_cuda_download(base, buffer.pointer, bytes.count), "cuMemcpyDtoH")
    }

    public func zero(_ buffer: DeviceBuffer, bytes: Int) throws {
        precondition(bytes <= buffer.bytes, "zeroing past the buffer")
        try check(loso_cuda_memset_zero(buffer.pointer, bytes), "cuMemsetD8")
    }

    public func synchronize() throws { try check(loso_cuda_synchronize(), "cuCtxSynchronize") }

    /// Device memory free now (cuMemGetInfo), which sizes a worker's bundles (FoldBatchMemory).
    public func freeMemory() throws -> Int {
        var free = 0, total = 0
        try check(loso_cuda_memory_info(&free, &total), "cuMemGetInfo")
        return free
    }

    public func launch(_ name: String, gridX: UInt32, gridY: UInt32, block: UInt32,
                       arguments: UnsafeMutablePointer<UnsafeMutableRawPointer?>) throws {
        guard let function = functions[name] else { preconditionFailure("no kernel named \(name)") }
        try check(loso_cuda_launch(function, gridX, gridY, 1, block, 1, 1, 0, arguments), "cuLaunchKernel(\(name))")
    }

    public func sgemmStridedBatchedColumnMajor(transA: Int32, transB: Int32, m: Int32, n: Int32, k: Int32, alpha: Float,
                                               a: UInt64, lda: Int32, strideA: Int64, b: UInt64, ldb: Int32, strideB: Int64,
                                               beta: Float, c: UInt64, ldc: Int32, strideC: Int64, batch: Int32) throws {
        let status = loso_cublas_sgemm_strided_batched(cublas, transA, transB, m, n, k, alpha, a, lda, strideA,
                                                       b, ldb, strideB, beta, c, ldc, strideC, batch)
        if status != 0 { throw CUDAError.cublas(call: "cublasSgemmStridedBatched", status: status) }
    }
}
