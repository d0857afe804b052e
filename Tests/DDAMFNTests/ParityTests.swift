import DDAMFN
import Foundation
import Tensor
import TestSupport
import XCTest

/// The engine against the reference PyTorch DDAMFN dump (Tests/Fixtures/ddamfn-parity.safetensors; its
/// README section gives the architecture, conventions and bounds).
final class DDAMFNParityTests: XCTestCase {
    static let fixture = "ddamfn-parity.safetensors"

    func testMatchesReferenceFixture() throws {
        let report = try DDAMFNParityCheck.run(fixturePath: try Fixtures.path(Self.fixture))
        for m in report.measurements {
            print(String(format: "%@ %-44@ %.3e <= %.3e", m.passed ? "ok  " : "FAIL", m.name, m.error, m.tolerance))
            XCTAssertLessThanOrEqual(m.error, m.tolerance, "\(m.name) (worst gradient tensor: \(report.worstGradient))")
        }
        XCTAssertTrue(report.passed)
    }

    /// The check must notice a wrong model: one BN weight of the fixture moved by 0.05.
    func testPerturbedFixtureFails() throws {
        let path = try Fixtures.path(Self.fixture)
        var file = try SafeTensorsFile.read(path: path)
        let name = "param.features.5.model.3.CA.bn1.weight"
        var t = file.tensors[name]!.tensor
        t.data[0] += 0.05
        file.tensors[name] = StoredTensor(t)
        let tmp = try temporaryDirectory(self) + "/perturbed.safetensors"
        try file.write(path: tmp)
        let report = try DDAMFNParityCheck.run(fixturePath: tmp)
        XCTAssertFalse(report.passed)
        XCTAssertTrue(DDAMFNParityCheck.isFixture(metadata: file.metadata))
    }
}
