import CCUDA
import Foundation

/// Compiles the engine's CUDA C (CUDAKernelSource) with NVRTC for one GPU architecture, and keeps
/// the result in a cache folder under a hash of everything that decides it (source, options,
/// NVRTC version), so only the first run on a machine pays for compilation.
public struct NVRTCCompiler {
    /// `sm_90` and the like: CUBIN for that architecture.
    public let architecture: String
    public let cacheFolder: String?

    /// The options every compilation uses: fp32 products and sums rounded separately, as the CPU
    /// engine computes them (no fused multiply-add contraction).
    public var options: [String] { ["--gpu-architecture=\(architecture)", "--fmad=false", "--std=c++17"] }

    /// `cacheFolder` nil: LOSO_KERNEL_CACHE, else ~/.cache/loso-trainer/kernels.
    public init(architecture: String, cacheFolder: String? = NVRTCCompiler.defaultCacheFolder) {
        self.architecture = architecture
        self.cacheFolder = cacheFolder
    }

    public static var defaultCacheFolder: String? {
        let env = ProcessInfo.processInfo.environment
        if let given = env["LOSO_KERNEL_CACHE"], !given.isEmpty { return given }
        guard let home = env["HOME"] else { return nil }
        return home + "/.cache/loso-trainer/kernels"
    }

    public static var version: (major: Int, minor: Int)? {
        var major: Int32 = 0, minor: Int32 = 0
        return loso_nvrtc_version(&major, &minor) == 0 ? (Int(major), Int(minor)) : nil
    }

    public struct Compiled {
        public var image: [UInt8]
        public var log: String
        /// Where it came from: "compiled" or "cache <path>".
        public var origin: String
    }

    /// 64-bit FNV-1a of `text` (stable across runs and machines; Foundation has no digest on Linux).
    static func fnv1a(_ text: String) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325
        for b in text.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return h
    }

    public func cacheKey(source: String) -> String {
        let v = NVRTCCompiler.version.map { "\($0.major).\($0.minor)" } ?? "?"
        return String(format: "%016llx", NVRTCCompiler.fnv1a(source + "\u{0}" + options.joined(separator: " ") + "\u{0}nvrtc " + v))
    }

    /// The CUBIN of `source`, from the cache when it holds one.
    public func compile(source: String, name: String = "loso_kernels.cu") throws -> Compiled {
        try CUDALibraries.openNVRTC()
        let file = cacheFolder.map { "\($0)/\(name)-\(architecture)-\(cacheKey(source: source)).cubin" }
        if let file, let data = FileManager.default.contents(atPath: file), !data.isEmpty {
            return Compiled(image: [UInt8](data), log: "", origin: "cache \(file)")
        }
        var cOptions = options.map { strdup($0) }
        defer { cOptions.forEach { free($0) } }
        var image: UnsafeMutablePointer<CChar>?, size = 0, log: UnsafeMutablePointer<CChar>?
        let code = cOptions.withUnsafeMutableBufferPointer { buffer -> Int32 in
            buffer.baseAddress!.withMemoryRebound(to: UnsafePointer<CChar>?.self, capacity: buffer.count) {
                loso_nvrtc_compile(source, name, $0, Int32(buffer.count), 1, &image, &size, &log)
            }
        }
        let logText = log.map { String(cString: $0) } ?? ""
        loso_free(log)
        guard code == 0, let image else {
            if code == 6 { throw CUDAError.compilation(log: logText) }   // NVRTC_ERROR_COMPILATION
            throw CUDAError.nvrtc(call: "nvrtcCompileProgram", code: code)
        }
        let bytes = [UInt8](UnsafeBufferPointer(start: UnsafeRawPointer(image).assumingMemoryBound(to: UInt8.self), count: size))
        loso_free(image)
        if let file, let folder = cacheFolder {
            // Written beside, then renamed: a reader never sees half a file.
            try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let partial = file + ".partial-\(getpid())"
            if FileManager.default.createFile(atPath: partial, contents: Data(bytes)) {
                if rename(partial, file) != 0 { try? FileManager.default.removeItem(atPath: partial) }
            }
        }
        return Compiled(image: bytes, log: logText, origin: "compiled")
    }
}
