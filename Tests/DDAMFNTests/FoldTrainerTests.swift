import DDAMFN
import FoldResults
import Tensor
import XCTest

/// The DDAMFN fold trainer: it learns a tiny synthetic set, its results do not depend on the thread
/// count, its batching never leaves a train batch of one, and the input conversion and augmentation
/// follow their stated conventions.
final class DDAMFNFoldTrainerTests: XCTestCase {
    /// 3 classes, each a bright square in its own place on a grey 28x28 BGR image with per-sample noise.
    func tinySet(count: Int, seed: UInt64) -> (inputs: [Float], labels: [Int]) {
        var rng = DeterministicRNG(seed: seed)
        var inputs: [Float] = [], labels: [Int] = []
        for i in 0..<count {
            let label = i % 3
            var image = [Float](repeating: 0, count: 3 * 28 * 28)
            for c in 0..<3 {
                for y in 0..<28 {
                    for x in 0..<28 {
                        let inside = y >= 4 && y < 14 && x >= 2 + 8 * label && x < 10 + 8 * label
                        image[(c * 28 + y) * 28 + x] = (inside ? 230 : 90) + 20 * rng.normal()
                    }
                }
            }
            inputs += image
            labels.append(label)
        }
        return (inputs, labels)
    }

    func train(threads: Int, epochs: Int, augmentation: DDAMFNAugmentation) throws -> FoldOutcome {
        BLAS.setThreads(threads)
        defer { BLAS.setThreads(1) }
        let train = tinySet(count: 9, seed: 1), test = tinySet(count: 3, seed: 2)
        let data = FoldData(trainInputs: train.inputs, trainLabels: train.labels, testInputs: test.inputs, testLabels: test.labels)
        let settings = DDAMFNTrainingSettings(epochs: epochs, batchSize: 4, learningRate: 0.01, shuffle: true, augmentation: augmentation)
        let trainer = DDAMFNFoldTrainer(config: DDAMFNConfig(classes: 3, heads: 2, conv4Blocks: 0), settings: settings, seedKeys: [7, 8, 9])
        return try trainer.run(data)
    }

    func testLossDecreasesOnATinySet() throws {
        let outcome = try train(threads: 1, epochs: 6, augmentation: DDAMFNAugmentation(crop: false, flip: false, erasing: false))
        XCTAssertEqual(outcome.epochs.count, 6)
        let first = outcome.epochs[0].trainLoss, last = outcome.epochs[5].trainLoss
        XCTAssertLessThan(last, 0.7 * first, "train loss per epoch: \(outcome.epochs.map(\.trainLoss))")
        XCTAssertEqual(outcome.finalLogits.count, 3)
        XCTAssertTrue(outcome.finalLogits.allSatisfy { $0.count == 3 && $0.allSatisfy(\.isFinite) })
        XCTAssertTrue((1...6).contains(outcome.bestTestEpoch))
    }

    /// Augmentation randomness is keyed by (task, epoch, sample): one and two threads give the same bits.
    func testOneAndTwoThreadsGiveIdenticalResults() throws {
        let one = try train(threads: 1, epochs: 2, augmentation: DDAMFNAugmentation())
        let two = try train(threads: 2, epochs: 2, augmentation: DDAMFNAugmentation())
        XCTAssertEqual(one.finalLogits, two.finalLogits)
        XCTAssertEqual(one.epochs.map(\.trainLoss), two.epochs.map(\.trainLoss))
    }

    func testBatchesNeverLeaveOneSample() {
        XCTAssertEqual(DDAMFNFoldTrainer.batches(count: 9, batchSize: 4), [0..<4, 4..<9])
        XCTAssertEqual(DDAMFNFoldTrainer.batches(count: 8, batchSize: 4), [0..<4, 4..<8])
        XCTAssertEqual(DDAMFNFoldTrainer.batches(count: 5, batchSize: 4), [0..<5])
        XCTAssertEqual(DDAMFNFoldTrainer.batches(count: 3, batchSize: 2), [0..<3])
    }

    func testOneTrainingSampleIsRefused() {
        let set = tinySet(count: 1, seed: 3)
        let data = FoldData(trainInputs: set.inputs, trainLabels: set.labels, testInputs: set.inputs, testLabels: set.labels)
        let trainer = DDAMFNFoldTrainer(config: DDAMFNConfig(classes: 3, heads: 1, conv4Blocks: 0),
                                        settings: DDAMFNTrainingSettings(epochs: 1, batchSize: 4), seedKeys: [1])
        XCTAssertThrowsError(try trainer.run(data)) { XCTAssertTrue("\($0)".contains("at least 2"), "\($0)") }
    }

    /// BGR 0..255 to ImageNet-normalised RGB; a constant image stays constant through the resize.
    func testInputConversion() {
        for side in [112, 28] {
            var image = [Float](repeating: 0, count: 3 * side * side)
            for i in 0..<(side * side) { image[i] = 51; image[side * side + i] = 102; image[2 * side * side + i] = 255 }   // B, G, R
            var out = [Float](repeating: .nan, count: DDAMFNInput.sampleSize)
            image.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { DDAMFNInput.convert(src.baseAddress!, inputSide: side, into: $0.baseAddress!) }
            }
            let plane = 112 * 112
            let expected: [Float] = [(1 - 0.485) / 0.229, (0.4 - 0.456) / 0.224, (0.2 - 0.406) / 0.225]
            for c in 0..<3 {
                XCTAssertEqual(out[c * plane].distance(to: expected[c]).magnitude, 0, accuracy: 1e-5)
                XCTAssertEqual(out[c * plane + plane - 1], out[c * plane], accuracy: 1e-5)
            }
        }
        // A left-right ramp stays a ramp: bilinear with half-pixel centres keeps the mean.
        var ramp = [Float](repeating: 0, count: 3 * 28 * 28)
        for c in 0..<3 { for y in 0..<28 { for x in 0..<28 { ramp[(c * 28 + y) * 28 + x] = Float(x) * 9 } } }
        var out = [Float](repeating: 0, count: DDAMFNInput.sampleSize)
        ramp.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { DDAMFNInput.convert(src.baseAddress!, inputSide: 28, into: $0.baseAddress!) } }
        let row = out[0..<112]
        XCTAssertTrue(zip(row, row.dropFirst()).allSatisfy { $0 <= $1 })
    }

    /// Flip mirrors, crop shifts with normalised-black padding, erasing zeroes one rectangle.
    func testAugmentationConventions() {
        let n = 112, plane = n * n
        var image = (0..<(3 * plane)).map { Float($0 % n) + Float($0 / plane) * 1000 }
        let original = image
        let scratch = FloatBuffer(count: 3 * plane)
        var sawFlip = false, sawErase = false, sawShift = false
        for key in UInt64(0)..<20 {
            image = original
            var rng = DeterministicRNG(keys: [key])
            image.withUnsafeMutableBufferPointer { DDAMFNAugmentation(crop: false, flip: true, erasing: false).apply($0.baseAddress!, scratch: scratch.pointer, rng: &rng) }
            if image != original { sawFlip = true; XCTAssertEqual(image[0], original[n - 1]); XCTAssertEqual(image[n - 1], original[0]) }
            image = original
            image.withUnsafeMutableBufferPointer { DDAMFNAugmentation(crop: false, flip: false, erasing: true).apply($0.baseAddress!, scratch: scratch.pointer, rng: &rng) }
            let changed = (0..<(3 * plane)).filter { image[$0] != original[$0] }
            if !changed.isEmpty {
                sawErase = true
                XCTAssertTrue(changed.allSatisfy { image[$0] == 0 })
                let perChannel = changed.filter { $0 < plane }.count
                XCTAssertGreaterThanOrEqual(Double(perChannel), 0.015 * Double(plane))
                XCTAssertLessThanOrEqual(Double(perChannel), 0.26 * Double(plane))
            }
            image = original
            image.withUnsafeMutableBufferPointer { DDAMFNAugmentation(crop: true, flip: false, erasing: false).apply($0.baseAddress!, scratch: scratch.pointer, rng: &rng) }
            // Row 50 of channel 0 is x shifted by dx; outside the image it is the padding value.
            let black = DDAMFNInput.normalisedBlack[0]
            let inside = (0..<n).filter { image[50 * n + $0] != black }
            if let x = inside.first {
                let dx = Int(image[50 * n + x]) - x
                XCTAssertTrue((-8...8).contains(dx))
                if dx != 0 { sawShift = true }
            }
        }
        XCTAssertTrue(sawFlip && sawErase && sawShift)
    }
}
