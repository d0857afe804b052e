import CCUDA
import Foundation

/// Finds and opens the CUDA driver, cuBLAS and NVRTC at run time (dlopen), so that nothing of CUDA
/// is needed to build, link or run the CPU paths. Each library's candidates are tried in order; an
/// environment variable (a file, or a folder holding it) goes first:
/// - driver: LOSO_CUDA_DRIVER, then libcuda.so.1 (installed by the NVIDIA driver);
/// - cuBLAS: LOSO_CUBLAS, then libcublas.so.13, .12, libcublas.so, CUDA_HOME/lib64;
/// - NVRTC: LOSO_NVRTC, then libnvrtc.so.13, .12, libnvrtc.so, CUDA_HOME/lib64 (the PyPI wheel
///   `nvidia-cuda-nvrtc` also works: LOSO_NVRTC=<venv>/lib/python3.*/site-packages/nvidia/cu13/lib).
public enum CUDALibraries {
    static let lock = NSLock()
    nonisolated(unsafe) static var nvrtcPath: String?

    static func candidates(environment variable: String, names: [String]) -> [String] {
        var out: [String] = []
        let env = ProcessInfo.processInfo.environment
        if let given = env[variable], !given.isEmpty {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: given, isDirectory: &isFolder), isFolder.boolValue {
                out += names.map { given + "/" + $0 }
            } else {
                out.append(given)
            }
        }
        out += names
        for home in [env["CUDA_HOME"], env["CUDA_PATH"], "/usr/local/cuda"].compactMap({ $0 }) {
            out += names.map { home + "/lib64/" + $0 }
        }
        return out
    }

    /// Tries every candidate with `open` until one succeeds; returns the path opened.
    static func open(_ library: String, remedy: String, candidates: [String],
                     _ open: (String, UnsafeMutablePointer<CChar>, Int) -> Int32) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        var tried: [(String, String)] = []
        for path in candidates {
            var err = [CChar](repeating: 0, count: 512)
            if open(path, &err, err.count) == 0 { return path }
            tried.append((path, String(cString: err)))
        }
        throw CUDAError.libraryMissing(library: library, tried: tried, remedy: remedy)
    }

    /// Opens the driver and initialises it (cuInit).
    @discardableResult
    public static func openDriver() throws -> String {
        try open("the CUDA driver (libcuda.so.1)",
                 remedy: "--device cuda needs an NVIDIA GPU and its driver; use --device cpu on this machine.",
                 candidates: candidates(environment: "LOSO_CUDA_DRIVER", names: ["libcuda.so.1", "libcuda.so"])) {
            loso_cuda_open($0, $1, $2)
        }
    }

    @discardableResult
    public static func openCUBLAS() throws -> String {
        try open("cuBLAS (libcublas.so)",
                 remedy: "Install the CUDA toolkit's cuBLAS (or the PyPI wheel nvidia-cublas) and set LOSO_CUBLAS to it.",
                 candidates: candidates(environment: "LOSO_CUBLAS", names: ["libcublas.so.13", "libcublas.so.12", "libcublas.so"])) {
            loso_cublas_open($0, $1, $2)
        }
    }

    /// Opens NVRTC; later calls return the path opened first.
    @discardableResult
    public static func openNVRTC() throws -> String {
        if let nvrtcPath { return nvrtcPath }
        let path = try open("NVRTC (libnvrtc.so)",
                            remedy: "Install the CUDA toolkit's NVRTC (or `pip install nvidia-cuda-nvrtc`) and set LOSO_NVRTC to the library or its folder.",
                            candidates: candidates(environment: "LOSO_NVRTC", names: ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"])) {
            loso_nvrtc_open($0, $1, $2)
        }
        nvrtcPath = path
        return path
    }
}
