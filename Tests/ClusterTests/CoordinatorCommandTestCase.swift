import Foundation
import TestSupport
import XCTest

/// Tests that run the built `coordinator` as a command, each in a fresh temporary folder
/// (`directory`, removed with the test). Skips where the executables are not built.
class CoordinatorCommandTestCase: XCTestCase {
    var directory: String!

    override func setUpWithError() throws {
        try MPIJob.requireMPI()   // the built coordinator
        directory = try temporaryDirectory(self)
    }

    /// `coordinator ARGS` in `directory`, its output captured.
    func coordinator(_ arguments: [String]) throws -> MPIJob.Outcome {
        try MPIJob.runDirect(MPIJob.coordinator, arguments, in: directory)
    }
}
