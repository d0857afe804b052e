import DDAMFN
import Foundation
import Tensor
import TestSupport
import XCTest

/// The state dict the engine writes (checkpoints) uses exactly the reference's names and loads back
/// bit-identically, buffers and num_batches_tracked included.
final class DDAMFNStateDictTests: XCTestCase {
    func testNamesMatchTheReferenceAndRoundTrip() throws {
        let model = DDAMFNModel(config: DDAMFNConfig(), maxBatch: 1)
        var rng = DeterministicRNG(seed: 5)
        model.initialise(rng: &rng)
        for i in 0..<model.statistics.count { model.statistics[i] = rng.uniform(0.5, 1.5) }
        for bn in model.table.batchNorms { model.batchesTracked[bn.counter] = bn.counter % 3 }
        let written = DDAMFNStateDict.tensors(of: model)
        let fixture = try SafeTensorsFile.read(path: try Fixtures.path("ddamfn-parity.safetensors"))
        let referenceNames = Set(fixture.tensors.keys.filter { $0.hasPrefix("param.") || $0.hasPrefix("buffer.") })
        XCTAssertEqual(Set(written.keys), referenceNames)
        let path = try temporaryDirectory(self) + "/state.safetensors"
        try SafeTensorsFile(tensors: written).write(path: path)
        let file = try SafeTensorsFile.read(path: path)
        let copy = DDAMFNModel(config: DDAMFNConfig(), maxBatch: 1)
        try DDAMFNStateDict.loadParameters(file, prefix: "param.", into: copy, source: path)
        try DDAMFNStateDict.loadBuffers(file, prefix: "buffer.", into: copy, source: path)
        XCTAssertEqual(copy.parameters.array, model.parameters.array)
        XCTAssertEqual(copy.statistics.array, model.statistics.array)
        for bn in model.table.batchNorms { XCTAssertEqual(copy.batchesTracked[bn.counter], model.batchesTracked[bn.counter]) }
    }

    func testWrongShapeNamesTheTensor() throws {
        let model = DDAMFNModel(config: DDAMFNConfig(), maxBatch: 1)
        var tensors = DDAMFNStateDict.tensors(of: model)
        tensors["param.fc.weight"] = StoredTensor(Tensor(zeros: [3, 512]))
        XCTAssertThrowsError(try DDAMFNStateDict.loadParameters(SafeTensorsFile(tensors: tensors), prefix: "param.", into: model, source: "x.safetensors")) {
            XCTAssertTrue("\($0)".contains("param.fc.weight"), "\($0)")
        }
    }
}
