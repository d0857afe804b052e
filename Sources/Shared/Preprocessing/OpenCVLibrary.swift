import Dataset
import OpenCVRuntime

/// OpenCV and dlib are opened at run time (libLOSOOpenCVBridge.so beside the executable), so a
/// coordinator that never reads an image (a head node running from a feature cache) needs neither
/// installed. Every entry point that reads or writes images asks for it first, to fail with a
/// sentence a user can act on instead of a decode error per file.
public enum OpenCVLibrary {
    /// Throws, naming `what` needed it and why the library could not be opened.
    public static func require(for what: String, file: String) throws {
        var why = [CChar](repeating: 0, count: 1024)
        guard cvb_runtime_load(&why, why.count) != 0 else { return }
        let reason = String(decoding: why.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        throw DatasetError(file: file, "\(what) needs OpenCV, which this program opens at run time and could not: \(reason). "
                           + "Install OpenCV and dlib on this machine (Debian/Ubuntu: libopencv-dev libdlib-dev, or their runtime "
                           + "libraries, README \"Deploying\"), or run from a feature cache (coordinator dataset cache), which needs neither")
    }
}
