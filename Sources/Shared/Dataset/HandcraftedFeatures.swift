/// Per-sample handcrafted features (a feature CSV, or the D-Marker-style dynamics `coordinator
/// preprocess` writes), aligned with a dataset's samples: row i belongs to samples[i]. Raw values;
/// each fold standardises them with its own training samples' statistics (FeatureStandardisation).
public struct HandcraftedFeatures: Codable, Equatable, Sendable {
    /// Column names in order (the CSV header after the id column).
    public var columns: [String]
    /// samples x columns float32, row-major.
    public var values: [Float]
    /// Where they came from (the CSV path), for reports and errors.
    public var source: String

    public init(columns: [String], values: [Float], source: String) {
        precondition(columns.isEmpty ? values.isEmpty : values.count % columns.count == 0,
                     "\(values.count) feature values for \(columns.count) columns")
        self.columns = columns
        self.values = values
        self.source = source
    }

    public var count: Int { columns.count }
    public var rows: Int { columns.isEmpty ? 0 : values.count / columns.count }

    /// The rows of the given samples, concatenated in the order given.
    public func rows(at indices: [Int]) -> [Float] {
        let f = count
        var out: [Float] = []
        out.reserveCapacity(indices.count * f)
        for i in indices { out.append(contentsOf: values[(i * f)..<((i + 1) * f)]) }
        return out
    }
}

/// z-scores of features with the statistics of one fold's training samples only, so nothing about
/// the test subject leaks into training. Convention: mean and population standard deviation
/// (divisor n) over the training rows, accumulated in float64; a column that is constant over the
/// training rows (sd 0) is only centred (divided by 1).
public struct FeatureStandardisation: Equatable, Sendable {
    public let mean: [Double]
    public let standardDeviation: [Double]

    public init(mean: [Double], standardDeviation: [Double]) {
        precondition(mean.count == standardDeviation.count, "one mean and one standard deviation per column")
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// Statistics of `rows` [n, columns] (row-major).
    public init(rows: [Float], columns: Int) {
        precondition(columns > 0 && rows.count % columns == 0 && !rows.isEmpty, "no training rows to standardise with")
        let n = rows.count / columns
        var mean = [Double](repeating: 0, count: columns), square = [Double](repeating: 0, count: columns)
        for r in 0..<n { for j in 0..<columns { mean[j] += Double(rows[r * columns + j]) } }
        for j in 0..<columns { mean[j] /= Double(n) }
        for r in 0..<n {
            for j in 0..<columns { let d = Double(rows[r * columns + j]) - mean[j]; square[j] += d * d }
        }
        self.mean = mean
        standardDeviation = square.map { ($0 / Double(n)).squareRoot() }
    }

    /// (x - mean) / sd column by column (sd 0 -> 1).
    public func apply(_ rows: [Float]) -> [Float] {
        let columns = mean.count
        return rows.indices.map { i in
            let j = i % columns, sd = standardDeviation[j]
            return Float((Double(rows[i]) - mean[j]) / (sd > 0 ? sd : 1))
        }
    }
}
