import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// SIGINT / SIGTERM (Ctrl-C, Slurm preemption, mpirun's abort) set a flag that the main loops poll:
/// they stop handing out work and exit cleanly, with everything finished already journalled.
/// A second signal ends the process at once.
public enum StopSignal {
    nonisolated(unsafe) private static var received: Int32 = 0

    public static func install() {
        for signo in [SIGINT, SIGTERM] {
            Glibc.signal(signo) { signo in
                if StopSignal.received != 0 {
                    Glibc.signal(signo, SIG_DFL)
                    raise(signo)
                    return
                }
                StopSignal.received = signo
            }
        }
    }

    /// The signal received (SIGINT or SIGTERM), or nil.
    public static var caught: Int32? { received == 0 ? nil : received }
    public static var isSet: Bool { received != 0 }
    public static func name(_ signo: Int32) -> String { signo == SIGINT ? "SIGINT" : signo == SIGTERM ? "SIGTERM" : "signal \(signo)" }
}
