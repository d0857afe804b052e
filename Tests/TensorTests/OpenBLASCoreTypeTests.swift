import Tensor
import XCTest

final class OpenBLASCoreTypeTests: XCTestCase {
    func testChoosesTheWidestKernelTheFlagsAllow() {
        let avx512 = "processor\t: 0\nflags\t\t: fpu sse2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl\n"
        XCTAssertEqual(OpenBLASCoreType.bestForThisCPU(cpuinfo: avx512), "SkylakeX")
        XCTAssertEqual(OpenBLASCoreType.bestForThisCPU(cpuinfo: "flags\t: sse2 avx avx2 fma\n"), "Haswell")
        XCTAssertEqual(OpenBLASCoreType.bestForThisCPU(cpuinfo: "flags\t: sse2 avx\n"), "SandyBridge")
        XCTAssertNil(OpenBLASCoreType.bestForThisCPU(cpuinfo: "flags\t: sse2 sse3\n"))
        XCTAssertNil(OpenBLASCoreType.bestForThisCPU(cpuinfo: "no flags here"))
    }

    func testCurrentCoreNameIsReported() {
        XCTAssertFalse(OpenBLASCoreType.current.isEmpty)
    }
}
