import Dataset
import Preprocessing
import TestSupport
import XCTest

/// Farneback flow and optical strain against a known displacement field on warped real faces.
final class OpticalFlowAccuracyTests: XCTestCase {
    static let faces = ["sub01_EP02_01f.jpg", "s01_s1_ne_01.jpg", "sub06_EP01_01.jpg"]
    static let side = 160

    func testFarnebackEndpointErrorInMovingRegionsIsSmall() throws {
        var errors: [Float] = [], magnitudes: [Float] = []
        for (i, name) in Self.faces.enumerated() {
            let face = try SharedData.face(name, side: Self.side)
            let field = SyntheticSequences.expressionField(label: i % 3, landmarks: .fallback, side: Self.side, amplitude: 3)
            let apex = field.warp(face, scale: 1)
            let truth = field.trueFlow(rows: Self.side, cols: Self.side, scale: 1)
            let flow = try OpticalFlowField.compute(from: face, to: apex, parameters: FlowParameters())
            let epe = flow.endpointErrors(against: truth)
            for (k, m) in truth.magnitudes.enumerated() where m > 0.5 {
                errors.append(epe[k])
                magnitudes.append(m)
            }
        }
        let meanEPE = errors.reduce(0, +) / Float(errors.count)
        let meanMotion = magnitudes.reduce(0, +) / Float(magnitudes.count)
        print("Farneback on warped real faces: mean EPE \(meanEPE) px over \(errors.count) moving pixels (mean true motion \(meanMotion) px)")
        XCTAssertLessThan(meanEPE, 0.5, "mean endpoint error in the moving regions")
        XCTAssertLessThan(meanEPE, 0.35 * meanMotion)
    }

    func testStrainPeaksWhereTheFieldBends() throws {
        let face = try SharedData.face(Self.faces[0], side: Self.side)
        let field = SyntheticSequences.expressionField(label: 1, landmarks: .fallback, side: Self.side, amplitude: 3)
        let truth = field.trueFlow(rows: Self.side, cols: Self.side, scale: 1)
        let flow = try OpticalFlowField.compute(from: face, to: field.warp(face, scale: 1), parameters: FlowParameters())
        let trueStrain = truth.strain, estimated = flow.strain
        let peak = trueStrain.max()!
        let bending = trueStrain.indices.filter { trueStrain[$0] > 0.5 * peak }
        let rigid = trueStrain.indices.filter { trueStrain[$0] < 0.05 * peak }
        func mean(_ idx: [Int]) -> Float { idx.map { estimated[$0] }.reduce(0, +) / Float(idx.count) }
        let ratio = mean(bending) / mean(rigid)
        print("strain: estimated mean \(mean(bending)) where the true field bends vs \(mean(rigid)) where it does not (x\(ratio)); correlation \(correlation(trueStrain, estimated))")
        XCTAssertGreaterThan(ratio, 4)
        XCTAssertGreaterThan(correlation(trueStrain, estimated), 0.7)
    }

    func testFlowImageChannelsAreStrainVerticalHorizontalAsTheLoaderReadsThem() {
        // Horizontal flow growing left to right, no vertical flow.
        let n = 40
        var u = [Float](repeating: 0, count: n * n)
        for r in 0..<n { for c in 0..<n { u[r * n + c] = Float(c) / 10 } }
        let image = OpticalFlowImage.make(from: OpticalFlowField(rows: n, cols: n, u: u, v: [Float](repeating: 0, count: n * n)))
        XCTAssertEqual(image.rows, 28)
        XCTAssertEqual(image.channels, 3)
        // Channel 2 (horizontal) increases left to right and spans 0...255.
        let row = 14
        XCTAssertEqual(image.pixels[(row * 28 + 0) * 3 + 2], 0)
        XCTAssertEqual(image.pixels[(row * 28 + 27) * 3 + 2], 255)
        // Channel 1 (vertical) is constant: written as 0.
        XCTAssertTrue(stride(from: 1, to: image.pixels.count, by: 3).allSatisfy { image.pixels[$0] == 0 })
    }

    private func correlation(_ a: [Float], _ b: [Float]) -> Float {
        let ma = a.reduce(0, +) / Float(a.count), mb = b.reduce(0, +) / Float(b.count)
        var sab: Float = 0, saa: Float = 0, sbb: Float = 0
        for i in a.indices {
            sab += (a[i] - ma) * (b[i] - mb)
            saa += (a[i] - ma) * (a[i] - ma)
            sbb += (b[i] - mb) * (b[i] - mb)
        }
        return sab / (saa * sbb).squareRoot()
    }
}
