import CUDABackend
import Foundation
import HTNet
import TestSupport
import XCTest

/// What can be checked without a GPU: device names, that every kernel compiles with NVRTC (when
/// libnvrtc is found: LOSO_NVRTC, or the system's; `pip install nvidia-cuda-nvrtc` provides one for
/// CPU-only machines), the kernel cache, and that a missing driver is named. The GPU checks skip
/// with a message when libcuda.so.1 is absent.
final class CUDABackendTests: XCTestCase {
    func testDeviceNames() throws {
        XCTAssertEqual(try ComputeDevice(parsing: "cpu"), .cpu)
        XCTAssertEqual(try ComputeDevice(parsing: "cuda"), .cuda(ordinal: 0))
        XCTAssertEqual(try ComputeDevice(parsing: "CUDA:3"), .cuda(ordinal: 3))
        for bad in ["gpu", "cuda:", "cuda:-1", "cuda:x"] {
            XCTAssertThrowsError(try ComputeDevice(parsing: bad)) { XCTAssertTrue("\($0)".contains("unknown device '\(bad)'"), "\($0)") }
        }
    }

    func nvrtcOrSkip() throws {
        do { try CUDALibraries.openNVRTC() } catch {
            throw XCTSkip("NVRTC not found, kernel compilation not checked (set LOSO_NVRTC; pip install nvidia-cuda-nvrtc provides it): \(error)")
        }
    }

    /// Every kernel of CUDAKernelSource compiles to an sm_90 (H100/H200) and an sm_80 (A100) CUBIN
    /// holding each kernel's symbol; the second compilation comes from the cache.
    func testEveryKernelCompilesToCUBIN() throws {
        try nvrtcOrSkip()
        let cache = try temporaryDirectory(self) + "/kernel-cache"
        for arch in ["sm_90", "sm_80"] {
            let compiler = NVRTCCompiler(architecture: arch, cacheFolder: cache)
            let first = try compiler.compile(source: CUDAKernelSource.source)
            XCTAssertEqual(first.origin, "compiled")
            XCTAssertEqual(Array(first.image.prefix(4)), [0x7f, 0x45, 0x4c, 0x46], "\(arch): a CUBIN is an ELF image")
            let text = String(decoding: first.image.map { $0 == 0 ? 10 : $0 }, as: UTF8.self)
            for name in CUDAKernelSource.kernelNames {
                XCTAssertTrue(text.contains(name), "\(arch): kernel \(name) missing from the CUBIN")
            }
            XCTAssertFalse(first.log.lowercased().contains("warning"), "\(arch): NVRTC warned:\n\(first.log)")
            let second = try compiler.compile(source: CUDAKernelSource.source)
            XCTAssertTrue(second.origin.hasPrefix("cache "), second.origin)
            XCTAssertEqual(second.image, first.image)
        }
        // The key follows the source and the options.
        let a = NVRTCCompiler(architecture: "sm_90", cacheFolder: cache)
        XCTAssertNotEqual(a.cacheKey(source: "x"), a.cacheKey(source: "y"))
        XCTAssertNotEqual(a.cacheKey(source: "x"), NVRTCCompiler(architecture: "sm_80", cacheFolder: cache).cacheKey(source: "x"))
    }

    func testCompilationErrorsCarryNVRTCsLog() throws {
        try nvrtcOrSkip()
        let compiler = NVRTCCompiler(architecture: "sm_90", cacheFolder: nil)
        XCTAssertThrowsError(try compiler.compile(source: "extern \"C\" __global__ void k(float *x) { x[0] = undefined_name; }")) { error in
            XCTAssertTrue("\(error)".contains("undefined_name"), "\(error)")
        }
    }

    /// On a machine without the driver, asking for a CUDA device names what is missing.
    func testMissingDriverIsNamed() throws {
        if (try? CUDALibraries.openDriver()) != nil { throw XCTSkip("a CUDA driver is present; the missing-driver error is not reachable here") }
        XCTAssertThrowsError(try CUDADevice(ordinal: 0)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.contains("libcuda.so.1") && text.contains("--device cpu"), text)
        }
    }

    /// The same kernel source, compiled for the CPU and emulated (EmulatedKernelDevice), against the
    /// CPU engine: checks what the kernels compute and the row-major to column-major mapping of the
    /// strided-batched products, on a machine without a GPU.
    func testEmulatedKernelsMatchTheCPUEngine() throws {
        let device: EmulatedKernelDevice
        do { device = try EmulatedKernelDevice() } catch {
            throw XCTSkip("no C++20 compiler for the kernel emulator (set CXX): \(error)")
        }
        let measurements = try CUDAKernelCheck().run(on: device)
        XCTAssertEqual(measurements.count, 9)
        for m in measurements {
            print(String(format: "emulated %@: error %.3e (tolerance %.1e)", m.name, m.error, m.tolerance))
            XCTAssertTrue(m.passed, "\(m.name): error \(m.error) > \(m.tolerance)")
        }
    }

    /// The device's kernels and cuBLAS against the CPU engine (needs a GPU).
    func testKernelsMatchTheCPUEngineOnTheGPU() throws {
        guard (try? CUDALibraries.openDriver()) != nil else {
            throw XCTSkip("no CUDA driver (libcuda.so.1): GPU execution not checked on this machine")
        }
        let device = try CUDADevice(ordinal: 0)
        for m in try CUDAKernelCheck().run(on: device) {
            XCTAssertTrue(m.passed, "\(m.name): error \(m.error) > \(m.tolerance)")
        }
    }
}
