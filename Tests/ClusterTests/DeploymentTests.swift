import Foundation
import TestSupport
import XCTest

/// What a machine needs to run the executables. The worker goes on compute nodes: it must link the
/// engine, the data core and the wire only, so a node needs OpenBLAS, Open MPI and zstd and nothing of
/// OpenCV, dlib (and their GDAL, HDF5, ... closure), Yams, the report writers or the coordinator's
/// code. The coordinator opens OpenCV at run time, only when it reads images.
/// (The release build's runtime libraries are checked by cluster/check-worker.sh.)
final class DeploymentTests: XCTestCase {
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
        for module in ["4Yams", "10Evaluation", "13Preprocessing", "12Coordination"] {
            let hits = symbols.split(separator: "\n").filter { $0.contains("$s\(module)") }
            XCTAssertEqual(hits.count, 0, "the worker holds \(module) symbols, e.g. \(hits.prefix(3))")
        }
        XCTAssertFalse(symbols.contains("cvb_"), "the worker holds the OpenCV runtime")
        // And it does hold the engine and the wire, so the check above can fail.
        XCTAssertTrue(symbols.contains("$s5HTNet"), "no HTNet symbols: the check reads the wrong file")
        XCTAssertTrue(symbols.contains("$s4Wire"), "no Wire symbols: the check reads the wrong file")
        XCTAssertTrue(symbols.contains("$s6DDAMFN"), "the worker trains model.arch: ddamfn tasks, so it holds the DDAMFN engine")
    }

    func testCoordinatorStartsWithoutOpenCVAndNeedsItOnlyForImages() throws {
        let tools = try requireTools()
        let libraries = try output(tools.ldd, [MPIJob.coordinator]).lowercased()
        for forbidden in ["opencv", "dlib", "gdal", "hdf5"] {
            XCTAssertFalse(libraries.contains(forbidden), "the coordinator links \(forbidden) at load time")
        }
        let directory = try temporaryDirectory(self)
        let synth = try MPIJob.runDirect(MPIJob.coordinator, ["synth", "--out", "data", "--subjects", "2", "--samples", "12"], in: directory)
        XCTAssertEqual(synth.status, 0, synth.output)
        let cache = try MPIJob.runDirect(MPIJob.coordinator, ["dataset", "cache", "data", "--out", "data.cache"], in: directory)
        XCTAssertEqual(cache.status, 0, cache.output)
        // As on a machine without OpenCV: the bridge library cannot be opened.
        let without = ["LOSO_OPENCV_BRIDGE": directory + "/no-such-libLOSOOpenCVBridge.so"]
        let folder = try MPIJob.runDirect(MPIJob.coordinator, ["dataset", "inspect", "data"], in: directory, environment: without)
        XCTAssertNotEqual(folder.status, 0)
        XCTAssertTrue(folder.output.contains("reading the flow images of a dataset folder needs OpenCV"), folder.output)
        XCTAssertTrue(folder.output.contains("no-such-libLOSOOpenCVBridge.so"), folder.output)
        let fromCache = try MPIJob.runDirect(MPIJob.coordinator, ["dataset", "inspect", "data.cache"], in: directory, environment: without)
        XCTAssertEqual(fromCache.status, 0, fromCache.output)
        XCTAssertTrue(fromCache.output.contains("36 samples"), fromCache.output)
    }
}
