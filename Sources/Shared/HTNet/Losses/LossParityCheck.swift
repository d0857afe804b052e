import Foundation
import Tensor

/// Compares the losses with the float64 reference of `losses-small.safetensors` (shared/fixtures
/// README, "Loss fixtures"): for Proxy Anchor, ArcFace and CosFace the loss and its gradients with
/// respect to the embeddings and to the class vectors; for weighted cross-entropy the loss and its
/// gradient with respect to the logits. Each runs twice, in Double (tolerance 1e-6) and in Float
/// from the rounded inputs (tolerance 1e-4), the README's bounds.
///
/// Error convention: relative error = |mine - ref| / |ref| for the loss, and
/// max_i |mine_i - ref_i| / max_i |ref_i| for a gradient tensor.
public enum LossParityCheck {
    public static let float64Tolerance = 1e-6
    public static let float32Tolerance = 1e-4

    /// A loss fixture is recognised by its `embeddings` tensor and `meta` header entry.
    public static func isLossFixture(_ file: SafeTensorsFile) -> Bool {
        file.tensors["embeddings"] != nil && file.metadata["meta"] != nil
    }

    public static func run(fixturePath path: String) throws -> [ParityCheck.Measurement] {
        try run(try SafeTensorsFile.read(path: path), source: path)
    }

    public static func run(_ file: SafeTensorsFile, source path: String) throws -> [ParityCheck.Measurement] {
        func tensor(_ name: String) throws -> StoredTensor {
            guard let t = file.tensors[name] else { throw ParityCheck.Failure.badFixture(path, "missing tensor '\(name)'") }
            return t
        }
        guard let metaText = file.metadata["meta"], let metaData = metaText.data(using: .utf8),
              let meta = try JSONSerialization.jsonObject(with: metaData) as? [String: Any] else {
            throw ParityCheck.Failure.badFixture(path, "no JSON `meta` entry in the header metadata")
        }
        func number(_ section: String, _ key: String) throws -> Double {
            guard let s = meta[section] as? [String: Any], let v = (s[key] as? NSNumber)?.doubleValue else {
                throw ParityCheck.Failure.badFixture(path, "meta.\(section).\(key) is missing or not a number")
            }
            return v
        }
        let embeddings = try tensor("embeddings")
        let labels = try tensor("labels").integers
        guard embeddings.shape.count == 2, embeddings.shape[0] == labels.count else {
            throw ParityCheck.Failure.badFixture(path, "embeddings has shape \(embeddings.shape) for \(labels.count) labels")
        }
        let dim = embeddings.shape[1]
        guard let classes = (meta["classes"] as? NSNumber)?.intValue, classes >= 2, labels.allSatisfy({ (0..<classes).contains($0) }) else {
            throw ParityCheck.Failure.badFixture(path, "meta.classes is missing, or a label lies outside it")
        }
        let x = embeddings.doubles
        var out: [ParityCheck.Measurement] = []

        let losses: [(prefix: String, vectors: String, loss: any MetricLoss)] = [
            ("proxy_anchor", "proxies", ProxyAnchorLoss(margin: try number("proxy_anchor", "margin"),
                                                        alpha: try number("proxy_anchor", "alpha"))),
            // The fixture states ArcFace's margin in degrees (PML's unit).
            ("arcface", "W", ArcFaceLoss(margin: .degrees(try number("arcface", "margin")), scale: try number("arcface", "scale"))),
            ("cosface", "W", CosFaceLoss(margin: try number("cosface", "margin"), scale: try number("cosface", "scale"))),
        ]
        for (prefix, vectors, loss) in losses {
            let w = try tensor("\(prefix).\(vectors)")
            let expectedShape = loss.classVectorLayout == .classMajor ? [classes, dim] : [dim, classes]
            guard w.shape == expectedShape else {
                throw ParityCheck.Failure.badFixture(path, "\(prefix).\(vectors) has shape \(w.shape), expected \(expectedShape)")
            }
            let refLoss = try tensor("\(prefix).loss").doubles[0]
            let refDx = try tensor("\(prefix).grad_embeddings").doubles
            let refDw = try tensor("\(prefix).grad_\(vectors)").doubles
            guard refDx.count == x.count, refDw.count == w.elementCount else {
                throw ParityCheck.Failure.badFixture(path, "\(prefix) gradients have the wrong sizes")
            }
            var dx64: [Double] = [], dw64: [Double] = []
            let l64 = loss.evaluate(embeddings: x, labels: labels, dim: dim, classes: classes, classVectors: w.doubles,
                                    dEmbeddings: &dx64, dClassVectors: &dw64)
            var dx32: [Float] = [], dw32: [Float] = []
            let l32 = loss.evaluate(embeddings: x.map { Float($0) }, labels: labels, dim: dim, classes: classes,
                                    classVectors: w.doubles.map { Float($0) }, dEmbeddings: &dx32, dClassVectors: &dw32)
            out += [
                .init(name: "\(prefix) loss f64", error: relative(l64, refLoss), tolerance: float64Tolerance),
                .init(name: "\(prefix) grad_embeddings f64", error: relative(dx64, refDx), tolerance: float64Tolerance),
                .init(name: "\(prefix) grad_\(vectors) f64", error: relative(dw64, refDw), tolerance: float64Tolerance),
                .init(name: "\(prefix) loss f32", error: relative(l32, refLoss), tolerance: float32Tolerance),
                .init(name: "\(prefix) grad_embeddings f32", error: relative(dx32.map(Double.init), refDx), tolerance: float32Tolerance),
                .init(name: "\(prefix) grad_\(vectors) f32", error: relative(dw32.map(Double.init), refDw), tolerance: float32Tolerance),
            ]
        }

        // Weighted cross-entropy on logits = embeddings[:, :classes].
        let weights = try tensor("weighted_ce.class_weights").doubles
        guard weights.count == classes, dim >= classes else {
            throw ParityCheck.Failure.badFixture(path, "weighted_ce.class_weights has \(weights.count) values for \(classes) classes")
        }
        var logits = [Double](repeating: 0, count: labels.count * classes)
        for b in 0..<labels.count { for j in 0..<classes { logits[b * classes + j] = x[b * dim + j] } }
        let refLoss = try tensor("weighted_ce.loss").doubles[0]
        let refGrad = try tensor("weighted_ce.grad_logits").doubles
        func crossEntropy<T: LossScalar>(_ logits: [T], _ weights: [T]) -> (Double, [T]) {
            var grad = [T](repeating: 0, count: logits.count)
            let r = logits.withUnsafeBufferPointer { l in labels.withUnsafeBufferPointer { y in grad.withUnsafeMutableBufferPointer { g in
                SoftmaxCrossEntropy.evaluate(logits: l.baseAddress!, labels: y.baseAddress!, batch: labels.count, classes: classes,
                                             classWeights: weights, dLogits: g.baseAddress!)
            } } }
            return (r.loss, grad)
        }
        let (l64, g64) = crossEntropy(logits, weights)
        let (l32, g32) = crossEntropy(logits.map { Float($0) }, weights.map { Float($0) })
        out += [
            .init(name: "weighted_ce loss f64", error: relative(l64, refLoss), tolerance: float64Tolerance),
            .init(name: "weighted_ce grad_logits f64", error: relative(g64, refGrad), tolerance: float64Tolerance),
            .init(name: "weighted_ce loss f32", error: relative(l32, refLoss), tolerance: float32Tolerance),
            .init(name: "weighted_ce grad_logits f32", error: relative(g32.map(Double.init), refGrad), tolerance: float32Tolerance),
        ]
        return out
    }

    static func relative(_ mine: Double, _ ref: Double) -> Double { abs(mine - ref) / max(abs(ref), .leastNormalMagnitude) }

    static func relative(_ mine: [Double], _ ref: [Double]) -> Double {
        var err = 0.0, scale = 0.0
        for i in ref.indices { err = max(err, abs(mine[i] - ref[i])); scale = max(scale, abs(ref[i])) }
        return err / max(scale, .leastNormalMagnitude)
    }
}
