import Dataset
import DDAMFN
import Evaluation
import FoldResults
import Foundation
import HTNet
import Tensor
import TrainedModels

/// report.html's gallery for runs that kept checkpoints: for each class, a few correctly and wrongly
/// predicted held-out samples (first seed, final-epoch models: each sample explained by the fold model
/// that held it out). Which variants: the first of each architecture (the first HTNet variant and the
/// first DDAMFN variant, in the experiment's order), so a run comparing both shows both. HTNet samples
/// show the composed input, its saliency and attention overlays (28x28, enlarged by the browser);
/// DDAMFN samples the 112x112 face, its saliency and the attention heads' maximum M. Images are inline
/// PNGs, so the report stays one self-contained file.
public enum ExplanationGallery {
    public static let sectionID = "gallery"

    /// The HTML section, or nil when the run kept no final-epoch checkpoints.
    public static func section(folder: RunFolderModels, data: ComposedDataset, perClass: Int = 2) throws -> String? {
        guard let kept = try? folder.checkpoints(selection: .final), let seed = folder.experiment.seeds.first else { return nil }
        let variants = folder.experiment.variants
        let chosen = [variants.first { $0.ddamfn == nil }, variants.first { $0.ddamfn != nil }].compactMap { $0 }
            .sorted { a, b in variants.firstIndex { $0.name == a.name }! < variants.firstIndex { $0.name == b.name }! }
        let record = try JournalReader.runRecord(folder.journal)
        let rows = record.selection == .final ? record.rows : record.alternateRows
        let paths = Dictionary(kept.map { ("\($0.task.variant)/\($0.task.seed)/\($0.task.fold)", $0.path) }, uniquingKeysWith: { a, _ in a })
        let index = Dictionary(data.samples.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { a, _ in a })
        var html = "<h2 id=\"\(sectionID)\">Where the models look</h2>\n"
        var any = false
        for variant in chosen {
            let mine = rows.filter { $0.variant == variant.name && $0.seed == seed }
            guard mine.contains(where: { paths["\($0.variant)/\($0.seed)/\($0.fold)"] != nil }) else { continue }
            any = true
            var explainer: GalleryExplainer = variant.ddamfn == nil ? HTNetGalleryExplainer() : DDAMFNGalleryExplainer()
            html += "<p>Held-out test samples of variant <code>\(escape(variant.name))</code>, seed \(seed), each explained by the final-epoch model "
                + "of the fold that held it out (kept checkpoints). " + explainer.legend + "</p>\n"
            for (c, name) in record.classNames.enumerated() {
                let ofClass = mine.filter { $0.label == c }
                let picks = [("correct", Array(ofClass.filter { $0.pred == c }.prefix(perClass))),
                             ("wrong", Array(ofClass.filter { $0.pred != c }.prefix(perClass)))]
                html += "<h3>\(escape(name))" + (chosen.count > 1 ? " (\(escape(variant.name)))" : "") + "</h3><div class=\"charts\">"
                for (kind, picked) in picks {
                    if picked.isEmpty { html += "<p><em>no \(kind) prediction of this class</em></p>"; continue }
                    for row in picked {
                        guard let i = index[row.sample], let path = paths["\(row.variant)/\(row.seed)/\(row.fold)"] else { continue }
                        let figure = try explainer.explain(path: path, data: data, index: i)
                        html += "<figure class=\"\(kind)\" style=\"margin:0 0 1em;border:2px solid \(kind == "correct" ? "#2c7" : "#d33");padding:4px\">"
                        html += figure.images.map { label, image in
                            "<img alt=\"\(label)\" title=\"\(label)\" width=\"112\" height=\"112\" style=\"image-rendering:pixelated;margin-right:2px\" "
                                + "src=\"data:image/png;base64,\(image.pngData.base64EncodedString())\">"
                        }.joined()
                        html += "<figcaption style=\"font-size:12px;max-width:\(112 * figure.images.count + 8)px\"><strong>\(kind)</strong>: "
                            + "\(escape(row.sample)) (fold \(escape(row.fold))), true \(escape(name)), predicted \(escape(record.classNames[row.pred])) "
                            + "p = \(String(format: "%.2f", figure.probabilities[row.pred])). \(escape(figure.note))</figcaption></figure>"
                    }
                }
                html += "</div>\n"
            }
            html += explainer.footnote
        }
        return any ? html : nil
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}

/// One gallery figure: labelled images, the model's probabilities and a caption note.
struct GalleryFigure {
    var images: [(String, PNGImage)]
    var probabilities: [Double]
    var note: String
}

/// What the gallery draws for one architecture's models (each fold's model loaded once).
protocol GalleryExplainer {
    /// What the images show (HTML).
    var legend: String { get }
    /// HTML after the variant's figures (empty unless something was left out).
    var footnote: String { get }
    mutating func explain(path: String, data: ComposedDataset, index: Int) throws -> GalleryFigure
}

/// HTNet: composed input, saliency summed over flow channels, finest-level received attention.
struct HTNetGalleryExplainer: GalleryExplainer {
    private var models: [String: (model: TrainedModel, net: HTNetModel)] = [:]
    private var anyAttention = false

    var legend: String {
        "Per sample: the composed input (flow crops of the left eye, right eye, "
            + "left and right mouth corners; BGR shown as RGB), the saliency |d logit / d input| of the predicted class summed over the "
            + "flow channels, and the attention each token receives at the finest level (mean over heads, queries and layers; stretched from its minimum to its maximum). "
            + "Heat: black (none) to white (the sample's maximum). The caption gives each region's share of the saliency."
    }

    var footnote: String {
        anyAttention ? "" : "<p>Attention overlays are left out: with this configuration every block holds one token (seq_len 1), "
            + "so each attention weight is 1 and shows nothing.</p>\n"
    }

    mutating func explain(path: String, data: ComposedDataset, index i: Int) throws -> GalleryFigure {
        let loaded: (model: TrainedModel, net: HTNetModel)
        if let cached = models[path] { loaded = cached } else {
            let model = try TrainedModel.load(path: path)
            loaded = (model, try model.htnet(for: "the HTNet explanation gallery").network(maxBatch: 1))
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
        return GalleryFigure(images: images, probabilities: e.probabilities, note: "Saliency: \(shares)")
    }
}

/// DDAMFN: the 112x112 face, saliency (max over RGB) and M (channel mean, upsampled bilinearly).
struct DDAMFNGalleryExplainer: GalleryExplainer {
    private var models: [String: DDAMFNModel] = [:]

    var legend: String {
        "Per sample (eval mode, running statistics): the face as the network sees it (resized to 112x112, RGB), "
            + "the saliency |d logit / d x| of the predicted class (x the ImageNet-normalised input; maximum over RGB; scaled by its maximum), "
            + "and M, the elementwise maximum of the attention heads' maps the model multiplies its 512x7x7 features by: mean over the 512 "
            + "channels, upsampled bilinearly from 7x7 and stretched from its minimum to its maximum. Heat: black (low) to white (high). "
            + "The caption gives M's mean and spread (a narrow one is stretched all the same), its peak cell (row, column of 7x7) and each head's "
            + "share of M (the fraction of its 512x7x7 elements where that head's map is the larger)."
    }

    var footnote: String { "" }

    mutating func explain(path: String, data: ComposedDataset, index i: Int) throws -> GalleryFigure {
        let net: DDAMFNModel
        if let cached = models[path] { net = cached } else {
            guard case let .ddamfn(w) = try TrainedModel.load(path: path).weights else {
                throw FileError(path: path, problem: "the DDAMFN explanation gallery found another architecture")
            }
            net = w.network(maxBatch: 1, inputGradient: true)
            models[path] = net
        }
        let e = try DDAMFNExplanation.compute(net, image: data.inputs(at: [i]), inputSide: data.imageSize)
        let m = DDAMFNExplanation.statistics(e.maximum)
        let shares = e.headSharesOfMaximum.enumerated().map { "head \($0) \(Int(($1 * 100).rounded()))%" }.joined(separator: ", ")
        return GalleryFigure(images: [("face", ExplanationImages.face(e)), ("saliency", ExplanationImages.saliency(e)),
                                      ("M", ExplanationImages.map(e, e.maximum))],
                             probabilities: e.probabilities, note: "M (channel mean) \(String(format: "%.4f, max - min %.2g", m.mean, m.maximum - m.minimum)), peak at "
                                + "(\(m.peakRow), \(m.peakColumn)); \(shares)")
    }
}
