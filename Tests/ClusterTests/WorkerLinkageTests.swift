import Foundation
import XCTest

/// The worker is what goes on compute nodes: it must link the engine, the data core and the wire
/// only, so a node needs OpenBLAS, Open MPI and zstd and nothing of OpenCV, dlib (and their GDAL,
/// HDF5, ... closure), Yams, the report writers or the coordinator's code.
/// (The release build's runtime libraries are checked by cluster/check-worker.sh.)
final class WorkerLinkageTests: XCTestCase {
    private func output(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "\(tool) \(arguments)")
        return String(decoding: data, as: UTF8.self)
    }

    private func requireTools() throws -> (ldd: String, nm: String) {
        guard FileManager.default.isExecutableFile(atPath: MPIJob.worker) else {
            throw XCTSkip("\(MPIJob.worker) not built (build the package before testing)")
        }
        guard let ldd = ["/usr/bin/ldd", "/bin/ldd"].first(where: FileManager.default.isExecutableFile(atPath:)),
              let nm = ["/usr/bin/nm", "/bin/nm"].first(where: FileManager.default.isExecutableFile(atPath:)) else {
            throw XCTSkip("ldd or nm not found (binutils)")
        }
        return (ldd, nm)
    }

    func testWorkerLinksNoOpenCVNoDlibNoImageLibraries() throws {
        let tools = try requireTools()
        let libraries = try output(tools.ldd, [MPIJob.worker]).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        XCTAssertFalse(libraries.isEmpty)
        for forbidden in ["opencv", "dlib", "gdal", "hdf5", "poppler", "mariadb", "yaml", "png", "jpeg", "tiff", "lapack"] {
            XCTAssertEqual(libraries.filter { $0.lowercased().contains(forbidden) }, [], "the worker links \(forbidden)")
        }
        for needed in ["libopenblas", "libmpi", "libzstd"] {
            XCTAssertTrue(libraries.contains { $0.contains(needed) }, "the worker should link \(needed): \(libraries)")
        }
    }

    func testWorkerHoldsNoCoordinatorReportOrYAMLCode() throws {
        let tools = try requireTools()
        let symbols = try output(tools.nm, [MPIJob.worker])
        // Swift mangles a module name as <length><name>; these are the modules the worker must not hold.
        for module in ["4Yams", "10Evaluation", "13Preprocessing", "12Coordination", "12OpenCVBridge"] {
            let hits = symbols.split(separator: "\n").filter { $0.contains("$s\(module)") }
            XCTAssertEqual(hits.count, 0, "the worker holds \(module) symbols, e.g. \(hits.prefix(3))")
        }
        XCTAssertFalse(symbols.contains("cvb_"), "the worker holds the OpenCV bridge")
        // And it does hold the engine and the wire, so the check above can fail.
        XCTAssertTrue(symbols.contains("$s5HTNet"), "no HTNet symbols: the check reads the wrong file")
        XCTAssertTrue(symbols.contains("$s4Wire"), "no Wire symbols: the check reads the wrong file")
    }
}
