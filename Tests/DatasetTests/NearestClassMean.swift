import Dataset

/// A deliberately simple classifier used to check the synthetic data's difficulty independently
/// of HTNet: each class is the mean of its training inputs; a sample gets the nearest mean.
enum NearestClassMean {
    /// Pooled leave-one-subject-out predictions, scored with macro F1 over the classes present.
    static func losoMacroF1(_ data: ComposedDataset) -> Double {
        let size = data.sampleSize, classes = data.classNames.count
        var predictions = [Int](repeating: 0, count: data.samples.count)
        for subject in data.subjects {
            let test = Set(data.indices(ofSubject: subject))
            var means = [[Double]](repeating: [Double](repeating: 0, count: size), count: classes)
            var counts = [Double](repeating: 0, count: classes)
            for (i, sample) in data.samples.enumerated() where !test.contains(i) {
                counts[sample.label] += 1
                for j in 0..<size { means[sample.label][j] += Double(data.inputs[i * size + j]) }
            }
            for c in 0..<classes where counts[c] > 0 { means[c] = means[c].map { $0 / counts[c] } }
            for i in test {
                let distances = (0..<classes).map { c -> Double in
                    guard counts[c] > 0 else { return .infinity }
                    var d = 0.0
                    for j in 0..<size { let e = Double(data.inputs[i * size + j]) - means[c][j]; d += e * e }
                    return d
                }
                predictions[i] = distances.indices.min { distances[$0] < distances[$1] }!
            }
        }
        return macroF1(labels: data.labels, predictions: predictions, classes: classes)
    }

    static func macroF1(labels: [Int], predictions: [Int], classes: Int) -> Double {
        var scores: [Double] = []
        for c in 0..<classes {
            let tp = zip(labels, predictions).filter { $0 == c && $1 == c }.count
            let fp = zip(labels, predictions).filter { $0 != c && $1 == c }.count
            let fn = zip(labels, predictions).filter { $0 == c && $1 != c }.count
            if tp + fp + fn == 0 { continue }
            scores.append(2 * Double(tp) / Double(2 * tp + fp + fn))
        }
        return scores.reduce(0, +) / Double(scores.count)
    }
}
