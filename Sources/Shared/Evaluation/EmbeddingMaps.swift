import Foundation

/// One test sample's embedding from a fold's final model (the pooled, LayerNormed top feature of
/// HTNet, or its projection for metric losses; DDAMFN's 512-d vector its `fc` reads), with what
/// that model predicted.
public struct EmbeddingRow: Codable, Equatable, Sendable {
    public var variant: String
    public var seed: Int
    public var fold: String
    public var subject: String
    public var dataset: String
    public var sample: String
    public var label: Int
    public var pred: Int
    public var vector: [Float]
    public init(variant: String, seed: Int, fold: String, subject: String, dataset: String, sample: String,
                label: Int, pred: Int, vector: [Float]) {
        self.variant = variant
        self.seed = seed
        self.fold = fold
        self.subject = subject
        self.dataset = dataset
        self.sample = sample
        self.label = label
        self.pred = pred
        self.vector = vector
    }
}

/// A 2-D t-SNE map of one variant's test embeddings.
///
/// Convention: one map per variant (an HTNet and a DDAMFN variant of one run get a map each, as
/// their widths differ); the embeddings of the variant's first seed, pooled over its folds (each sample is a
/// test sample exactly once per seed, embedded by its own fold's model), L2-normalised (the cosine
/// geometry the metric losses' predictions use), then exact t-SNE (TSNE: perplexity 30 or
/// (n - 1) / 3 when smaller, PCA initialisation, 1000 iterations). Trustworthiness (5 neighbours)
/// says how well the map keeps each point's nearest neighbours.
public struct EmbeddingMap: Codable, Equatable, Sendable {
    public struct Point: Codable, Equatable, Sendable {
        public var sample: String
        public var dataset: String
        public var label: Int
        public var pred: Int
        public var x: Double
        public var y: Double
    }
    public var variant: String
    public var seed: Int
    public var dimensions: Int
    public var perplexity: Double
    public var klDivergence: Double
    public var trustworthiness: Double?
    public var points: [Point]

    static func maps(_ rows: [EmbeddingRow], tsne: TSNE = TSNE(), progress: ReportProgress? = nil) -> [EmbeddingMap] {
        let byVariant = Dictionary(grouping: rows, by: \.variant)
        let names = orderedUnique(rows.map(\.variant))
        return names.enumerated().compactMap { index, name in
            defer { progress?("t-SNE maps", index + 1, names.count) }
            let variantRows = byVariant[name]!
            guard let seed = variantRows.map(\.seed).min() else { return nil }
            let chosen = variantRows.filter { $0.seed == seed }
            // One architecture per variant, so one width; a map never mixes widths (no distance between them).
            guard chosen.count >= 4, Set(chosen.map(\.vector.count)).count == 1 else { return nil }
            let x = chosen.map { r -> [Double] in
                let v = r.vector.map(Double.init)
                let norm = max(v.map { $0 * $0 }.reduce(0, +).squareRoot(), 1e-12)
                return v.map { $0 / norm }
            }
            let result = tsne.embed(x)
            let trust = chosen.count >= 12 ? TSNE.trustworthiness(x, result.points, neighbours: 5) : nil
            return EmbeddingMap(variant: name, seed: seed, dimensions: chosen[0].vector.count, perplexity: result.perplexity,
                                klDivergence: result.klDivergence, trustworthiness: trust,
                                points: zip(chosen, result.points).map { r, p in
                                    Point(sample: r.sample, dataset: r.dataset, label: r.label, pred: r.pred, x: p[0], y: p[1])
                                })
        }
    }
}

/// embeddings.csv: one line per (variant, seed, fold, test sample):
/// run,variant,seed,fold,sample,dataset,label,prediction,vector, where vector is the embedding's
/// values separated by spaces (shortest round-tripping decimal form of each float32).
public enum EmbeddingsCSV {
    public static func render(run: String, rows: [EmbeddingRow]) -> String {
        var out = "run,variant,seed,fold,sample,dataset,label,prediction,vector\n"
        for r in rows {
            out += [run, r.variant, "\(r.seed)", r.fold, r.sample, r.dataset, "\(r.label)", "\(r.pred)",
                    r.vector.map { "\($0)" }.joined(separator: " ")].map(field).joined(separator: ",") + "\n"
        }
        return out
    }

    static func field(_ s: String) -> String {
        s.contains(",") || s.contains("\"") || s.contains("\n") ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }
}
