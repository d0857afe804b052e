import Dataset
import Evaluation
import FoldResults
import Foundation
import HTNet
import TrainedModels

/// report.html's gallery for runs that kept checkpoints: for each class, a few correctly and wrongly
/// predicted held-out samples (first variant, first seed, final-epoch models: each sample explained
/// by the fold model that held it out), each shown as the composed input, its saliency overlay and its
/// attention overlay. Images are inline PNGs (28x28, enlarged by the browser), so the report stays
/// one self-contained file.
public enum ExplanationGallery {
    public static let sectionID = "gallery"

    /// The HTML section, or nil when the run kept no final-epoch checkpoints.
    public static func section(folder: RunFolderModels, data: ComposedDataset, perClass: Int = 2) throws -> String? {
        // Saliency and attention maps are HTNet's (DDAMFN runs have no gallery yet).
        guard folder.experiment.variants.first?.ddamfn == nil, let kept = try? folder.checkpoints(selection: .final) else { return nil }
        let record = try JournalReader.runRecord(folder.journal)
        let rows = record.selection == .final ? record.rows : record.alternateRows
        guard let variant = folder.experiment.variants.first?.name, let seed = folder.experiment.seeds.first else { return nil }
        let mine = rows.filter { $0.variant == variant && $0.seed == seed }
        let paths = Dictionary(kept.map { ("\($0.task.variant)/\($0.task.seed)/\($0.task.fold)", $0.path) }, uniquingKeysWith: { a, _ in a })
        let index = Dictionary(data.samples.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        var models: [String: (model: TrainedModel, net: HTNetModel)] = [:]
        let classNames = record.classNames
        var html = "<h2 id=\"\(sectionID)\">Where the models look</h2>\n"
        html += "<p>Held-out test samples of variant <code>\(escape(variant))</code>, seed \(seed), each explained by the final-epoch model "
            + "of the fold that held it out (kept checkpoints). Per sample: the composed input (flow crops of the left eye, right eye, "
            + "left and right mouth corners; BGR shown as RGB), the saliency |d logit / d input| of the predicted class summed over the "
            + "flow channels, and the attention each token receives at the finest level (mean over heads, queries and layers; stretched from its minimum to its maximum). "
            + "Heat: black (none) to white (the sample's maximum). The caption gives each region's share of the saliency.</p>\n"
        var anyAttention = false
        for (c, name) in classNames.enumerated() {
            let ofClass = mine.filter { $0.label == c }
            let picks = [("correct", Array(ofClass.filter { $0.pred == c }.prefix(perClass))),
                         ("wrong", Array(ofClass.filter { $0.pred != c }.prefix(perClass)))]
            html += "<h3>\(escape(name))</h3><div class=\"charts\">"
            for (kind, chosen) in picks {
                if chosen.isEmpty { html += "<p><em>no \(kind) prediction of this class</em></p>"; continue }
                for row in chosen {
                    guard let i = index[row.sample], let path = paths["\(row.variant)/\(row.seed)/\(row.fold)"] else { continue }
                    let loaded: (model: TrainedModel, net: HTNetModel)
                    if let cached = models[path] { loaded = cached } else {
                        let model = try TrainedModel.load(path: path)
                        loaded = (model, try model.htnet(for: "the explanation gallery").network(maxBatch: 1))
                        models[path] = loaded
                    }
                    let features = try loaded.model.fusedFeatures?.rows(of: data.handcrafted, at: [i], source: path)
                    let e = try Explanation.compute(loaded.net, input: data.inputs(at: [i]), features: features)
                    var images = [("input", ExplanationImages.input(e)), ("saliency", ExplanationImages.overlay(e, values: e.saliencyMagnitude))]
                    if e.attentionIsInformative, let a = e.attentionOnInput(level: 0) {
                        images.append(("attention", ExplanationImages.overlay(e, values: a, stretch: true)))
                        anyAttention = true
                    }
                    let shares = zip(Explanation.regions, e.regionShares).map { "\($0) \(Int(($1 * 100).rounded()))%" }.joined(separator: ", ")
                    html += "<figure class=\"\(kind)\" style=\"margin:0 0 1em;border:2px solid \(kind == "correct" ? "#2c7" : "#d33");padding:4px\">"
                    html += images.map { label, image in
                        "<img alt=\"\(label)\" title=\"\(label)\" width=\"112\" height=\"112\" style=\"image-rendering:pixelated;margin-right:2px\" "
                            + "src=\"data:image/png;base64,\(image.pngData.base64EncodedString())\">"
                    }.joined()
                    html += "<figcaption style=\"font-size:12px;max-width:\(112 * images.count + 8)px\"><strong>\(kind)</strong>: "
                        + "\(escape(row.sample)) (fold \(escape(row.fold))), true \(escape(name)), predicted \(escape(classNames[row.pred])) "
                        + "p = \(String(format: "%.2f", e.probabilities[row.pred])). Saliency: \(escape(shares))</figcaption></figure>"
                }
            }
            html += "</div>\n"
        }
        if !anyAttention {
            html += "<p>Attention overlays are left out: with this configuration every block holds one token (seq_len 1), "
                + "so each attention weight is 1 and shows nothing.</p>\n"
        }
        return html
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
