import Dataset
import Foundation
import TrainedModels

/// `coordinator explain` for a DDAMFN model: the face, saliency, per-head and M overlays as PNGs,
/// the numbers as JSON and a short summary on stdout.
extension ExplainCommand {
    func explain(_ weights: DDAMFNWeights, model: TrainedModel, dataset: ComposedDataset, index: Int, path: String, base: String) throws {
        let e = try DDAMFNExplanation.compute(weights.network(maxBatch: 1, inputGradient: true), image: dataset.inputs(at: [index]),
                                              inputSide: dataset.imageSize, explaining: explainedClass)
        var written: [String] = []
        func save(_ image: PNGImage, _ suffix: String) throws {
            try image.scaled(by: 2).write(path: base + suffix)
            written.append(base + suffix)
        }
        try save(ExplanationImages.face(e), ".face.png")
        try save(ExplanationImages.saliency(e), ".saliency.png")
        for (h, map) in e.headMaps.enumerated() { try save(ExplanationImages.map(e, map), ".head\(h).png") }
        try save(ExplanationImages.map(e, e.maximum), ".maximum.png")
        let classNames = model.metadata?.classNames ?? dataset.classNames
        let s = dataset.samples[index]
        let shares = e.headSharesOfMaximum
        func statistics(_ map: [Float]) -> [String: Any] {
            let t = DDAMFNExplanation.statistics(map)
            return ["channel_mean_7x7": t.channelMean.map(Double.init), "mean": t.mean, "min": Double(t.minimum), "max": Double(t.maximum),
                    "peak_row": t.peakRow, "peak_column": t.peakColumn, "element_mean": t.elementMean]
        }
        let summary: [String: Any] = [
            "checkpoint": path, "sample": sample, "label": s.label, "label_name": classNames[s.label], "architecture": "ddamfn",
            "prediction": e.prediction, "prediction_name": classNames[e.prediction],
            "explained_class": e.explainedClass, "explained_class_name": classNames[e.explainedClass],
            "logits": e.logits.map(Double.init), "probabilities": e.probabilities,
            "input": "x [3, 112, 112]: the dataset image (\(dataset.imageSize)x\(dataset.imageSize) BGR) resized bilinearly to 112, RGB, "
                + "ImageNet-normalised ((v / 255 - mean) / std), as predict and training feed it; eval mode (running statistics)",
            "saliency_convention": "d logit[explained_class] / d x for this one sample; saliency.png shows max over RGB of |.|",
            "saliency_max_abs": Double(e.saliency.map { abs($0) }.max() ?? 0),
            "saliency_mean_abs_by_channel": Dictionary(uniqueKeysWithValues: zip(DDAMFNExplanation.rgbNames, e.saliencyChannelMeans)),
            "map_convention": "each head's attention map A_i [512, 7, 7] and M = elementwise max over heads (the map the model multiplies "
                + "its features by); statistics over the mean across the 512 channels (7x7, row-major); images: that mean upsampled "
                + "bilinearly (half-pixel centres) to 112x112, stretched from its minimum to its maximum",
            "heads": e.headMaps.enumerated().map { h, map in statistics(map).merging(["head": h, "share_of_maximum": shares[h]]) { a, _ in a } },
            "maximum": statistics(e.maximum),
        ]
        let json = try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])
        try json.write(to: URL(fileURLWithPath: base + ".explanation.json"), options: .atomic)
        written.append(base + ".explanation.json")
        print("explain: \(sample) (label \(classNames[s.label])) predicted \(classNames[e.prediction]) "
              + "p = \(String(format: "%.3f", e.probabilities[e.prediction])) by \(path)")
        print("saliency of class \(classNames[e.explainedClass]) with respect to the normalised 112x112 RGB input: largest |d logit / d x| "
              + String(format: "%.3g", Double(e.saliency.map { abs($0) }.max() ?? 0)) + ", mean per channel "
              + zip(DDAMFNExplanation.rgbNames, e.saliencyChannelMeans).map { "\($0) \(String(format: "%.3g", $1))" }.joined(separator: ", "))
        print("attention maps (mean over 512 channels, 7x7): mean, range, peak cell (row, column), share of M")
        let rows: [(Int, [Float])] = e.headMaps.enumerated().map { ($0.offset, $0.element) } + [(-1, e.maximum)]
        for (h, map) in rows {
            let t = DDAMFNExplanation.statistics(map)
            print("  " + (h < 0 ? "M     " : "head \(h)") + String(format: "  %.4f  %.4f...%.4f  (%d, %d)", t.mean, t.minimum, t.maximum, t.peakRow, t.peakColumn)
                  + (h < 0 ? "" : String(format: "  %.1f%%", shares[h] * 100)))
        }
        written.forEach { print("wrote \($0)") }
    }
}
