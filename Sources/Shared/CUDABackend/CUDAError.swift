import CCUDA

/// What went wrong on the CUDA path, in words that name the library, the call and the remedy.
public enum CUDAError: Error, CustomStringConvertible {
    /// A library could not be opened from any candidate path (each with dlopen's reason).
    case libraryMissing(library: String, tried: [(path: String, reason: String)], remedy: String)
    case driver(call: String, code: Int32)
    case noDevice(ordinal: Int, count: Int)
    case cublas(call: String, status: Int32)
    case nvrtc(call: String, code: Int32)
    /// NVRTC rejected the kernels: its log.
    case compilation(log: String)

    public var description: String {
        switch self {
        case let .libraryMissing(library, tried, remedy):
            let attempts = tried.map { "\($0.path) (\($0.reason))" }.joined(separator: "; ")
            return "\(library) not found: tried \(attempts). \(remedy)"
        case let .driver(call, code): return "CUDA driver: \(call) failed: \(String(cString: loso_cuda_error(code))) (\(code))"
        case let .noDevice(ordinal, count): return "CUDA device \(ordinal) does not exist: the driver sees \(count) device(s)"
        case let .cublas(call, status): return "cuBLAS: \(call) failed with status \(status)"
        case let .nvrtc(call, code): return "NVRTC: \(call) failed: \(String(cString: loso_nvrtc_error(code))) (\(code))"
        case let .compilation(log): return "NVRTC could not compile the engine's kernels:\n\(log)"
        }
    }
}

@inline(__always) func check(_ code: Int32, _ call: String) throws {
    if code != 0 { throw CUDAError.driver(call: call, code: code) }
}
