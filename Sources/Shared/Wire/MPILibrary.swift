import CMPI
import Foundation

/// The MPI implementation this process runs with, for the provenance of a run.
public enum MPILibrary {
    /// The first line of `MPI_Get_library_version` (e.g. "Open MPI v4.1.4, package: Debian OpenMPI, ...");
    /// MPI allows the call before MPI_Init, so an in-process run records it too.
    public static var version: String {
        var buffer = [CChar](repeating: 0, count: 512)  // MPI_MAX_LIBRARY_VERSION_STRING is 256 in Open MPI
        var length: Int32 = 0
        guard MPI_Get_library_version(&buffer, &length) == cmpi_success() else { return "unknown" }
        let text = String(cString: buffer)
        return text.split(separator: "\n").first.map(String.init)?.trimmingCharacters(in: .whitespaces) ?? text
    }
}
