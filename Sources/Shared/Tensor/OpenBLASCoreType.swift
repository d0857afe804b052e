import COpenBLAS
import Foundation

/// Guards against OpenBLAS running its generic kernels on a fast CPU.
///
/// Debian's OpenBLAS (0.3.21, DYNAMIC_ARCH) picks its kernels from the CPU model at load time; it does
/// not know some newer CPUs (seen here: a Sapphire Rapids Xeon in a VM) and falls back to "Prescott"
/// (SSE3), about 5x slower than its AVX-512 kernels on the same machine. OPENBLAS_CORETYPE overrides
/// the choice, but OpenBLAS reads it only when it loads, so the fix is to re-execute the process
/// with it set, before anything else (MPI included) starts.
public enum OpenBLASCoreType {
    static let generic: Set<String> = ["prescott", "core2", "penryn", "dunnington", "nehalem", "atom",
                                       "katmai", "coppermine", "northwood", "banias", "unknown"]

    /// The kernel family OpenBLAS chose, e.g. "SkylakeX", "Haswell", "Prescott".
    public static var current: String { String(cString: openblas_get_corename()) }

    /// The best OpenBLAS core type the CPU's feature flags allow, or nil when unsure.
    public static func bestForThisCPU(cpuinfo: String) -> String? {
        guard let flagsLine = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        if ["avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"].allSatisfy(flags.contains) { return "SkylakeX" }
        if ["avx2", "fma"].allSatisfy(flags.contains) { return "Haswell" }
        if flags.contains("avx") { return "SandyBridge" }
        return nil
    }

    /// Re-executes this process with OPENBLAS_CORETYPE set when OpenBLAS chose a generic kernel but
    /// the CPU can do better. Does nothing when the variable is already set (by the user or by an
    /// earlier re-exec) or on any doubt.
    public static func reexecIfGeneric() {
        guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
              generic.contains(current.lowercased()),
              let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let best = bestForThisCPU(cpuinfo: cpuinfo) else { return }
        setenv("OPENBLAS_CORETYPE", best, 1)
        var argv: [UnsafeMutablePointer<CChar>?] = CommandLine.arguments.map { strdup($0) }
        argv.append(nil)
        execv("/proc/self/exe", &argv)
        // execv returned: it failed; carry on with the generic kernels rather than not at all.
        unsetenv("OPENBLAS_CORETYPE")
    }
}
