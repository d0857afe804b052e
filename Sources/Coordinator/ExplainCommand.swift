import ArgumentParser
import CommandLineConventions
import Coordination
import Dataset
import FoldResults
import Foundation
import HTNet
import Tensor
import TrainedModels

/// `coordinator explain`: saliency and attention maps of one sample, as PNG overlays and numbers.
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Saliency and attention maps of one sample under a kept model, as PNG overlays on its input.",
        discussion: """
        With --run, the sample is explained by the model of the fold that held it out (first variant and
        seed unless --variant / --seed). The model runs in eval mode on that one sample.
        HTNet writes into --out: <sample>.input.png, .saliency.png (|d logit / d input| summed over
        channels), .saliency-<channel>.png per flow channel, .attention-level<l>.png per hierarchy level
        (received attention; left out when blocks hold one token) and <sample>.explanation.json (logits,
        probabilities, mean |saliency| per region and channel, attention). Images are 28x28 enlarged 8x.
        DDAMFN writes <sample>.face.png (the 112x112 RGB input as the network sees it), .saliency.png
        (max over RGB of |d logit / d x|, x the resized, ImageNet-normalised input), .head<i>.png per
        attention head and .maximum.png (M, their elementwise maximum: each map's mean over its 512
        channels, 7x7 upsampled bilinearly) and the JSON (logits, probabilities, per-head statistics).
        Images are 112x112 enlarged 2x. Examples:
          coordinator explain --run runs/models-demo --sample "a01_clip03 .png" --out runs/models-demo/explain
          coordinator explain --run runs/ddamfn-explain --sample S01_002 --out runs/ddamfn-explain/explain
        """)

    @Option(name: .customLong("run"), help: "A run folder with kept checkpoints.")
    var runFolder: String?
    @Option(help: "A checkpoint instead of a run (needs --data).")
    var checkpoint: String?
    @Option(help: "Dataset (default with --run: the run's own).")
    var data: String?
    @Option(help: "The sample's name (the dataset's sample id, as in predictions.csv).")
    var sample: String
    @Option(help: "With --run: the variant (default: the first).")
    var variant: String?
    @Option(help: "With --run: the seed (default: the first).")
    var seed: Int?
    @Option(help: "With --run: final, best-test-epoch or validation weights.")
    var epoch: EpochSelection = .final
    @Option(name: .customLong("class"), help: "Explain this class index instead of the predicted one.")
    var explainedClass: Int?
    @Option(help: "Model configuration (JSON) for a checkpoint that carries none.")
    var config: String?
    @Option(help: "Handcrafted features (features.csv) for a fused model (default: the run's own with --run and no --data, else DATA/features.csv).")
    var features: String?
    @Option(help: "Folder for the images and the JSON.")
    var out: String

    func validate() throws {
        if (runFolder == nil) == (checkpoint == nil) { throw ValidationError("give either --run RUNFOLDER or --checkpoint FILE") }
        if checkpoint != nil && data == nil { throw ValidationError("--checkpoint needs --data PATH") }
    }

    func run() throws {
        let override = try config.map { text -> TrainedArchitecture in
            do { return try TrainedArchitecture.parse(json: text) } catch { throw ValidationError("\(error)") }
        }
        let path: String
        var folder: RunFolderModels?
        if let runFolder {
            let run = try RunFolderModels(directory: runFolder)
            folder = run
            let v = variant ?? run.experiment.variants[0].name, s = seed ?? run.experiment.seeds[0]
            let variants = run.experiment.variants.map(\.name)
            guard variants.contains(v) else {
                throw ValidationError("--variant \(v): \(runFolder) has no such variant (it has: \(variants.joined(separator: ", ")))")
            }
            guard run.experiment.seeds.contains(s) else {
                throw ValidationError("--seed \(s): \(runFolder) has no such seed (it has: \(run.experiment.seeds.map(String.init).joined(separator: ", ")))")
            }
            guard let fold = run.journal.plan?.folds.first(where: { $0.value.contains { $0.sample == sample } })?.key else {
                throw ValidationError("sample '\(sample)' is no held-out sample of \(runFolder)'s plan")
            }
            path = run.store.path(taskID: "\(v)/\(s)/\(fold)", selection: epoch)
            guard FileManager.default.fileExists(atPath: path) else {
                throw ValidationError("\(path) is missing (variant \(v), seed \(s), fold \(fold)); the run needs keep: checkpoints")
            }
        } else {
            path = checkpoint!
        }
        let model = try TrainedModel.load(path: path, config: override)
        if features != nil && model.fusedFeatures == nil {
            FileHandle.standardError.write(Data("explain: --features is not used: the model does not fuse handcrafted features\n".utf8))
        }
        // Without --data, a run's own dataset: its folder, or (generated faces, FER2013, ...) built again.
        let (dataset, dataPath): (ComposedDataset, String)
        if let data {
            (dataset, dataPath) = (try RunFolderModels.openDataset(path: data, for: model, features: features), data)
        } else if let folder, features != nil {
            (dataset, dataPath) = (try RunFolderModels.openDataset(path: folder.datasetPath, for: model, features: features), folder.datasetPath)
        } else {
            (dataset, dataPath) = try folder!.runDataset(for: model)
        }
        try Predictor.check(model, fits: dataset, dataPath: dataPath)
        guard let index = dataset.samples.firstIndex(where: { $0.id == sample }) else {
            throw ValidationError("sample '\(sample)' is not in \(dataPath)")
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let base = (out as NSString).appendingPathComponent(sample.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: " ", with: "_"))
        switch model.weights {
        case let .htnet(w): try explain(w, model: model, dataset: dataset, index: index, path: path, base: base)
        case let .ddamfn(w): try explain(w, model: model, dataset: dataset, index: index, path: path, base: base)
        }
    }

    private func explain(_ weights: HTNetWeights, model: TrainedModel, dataset: ComposedDataset, index: Int, path: String, base: String) throws {
        let features = try model.fusedFeatures?.rows(of: dataset.handcrafted, at: [index], source: model.source)
        let e = try Explanation.compute(weights.network(maxBatch: 1), input: dataset.inputs(at: [index]), features: features,
                                        explaining: explainedClass)
        var written: [String] = []
        func save(_ image: PNGImage, _ suffix: String) throws {
            try image.scaled(by: 8).write(path: base + suffix)
            written.append(base + suffix)
        }
        try save(ExplanationImages.input(e), ".input.png")
        try save(ExplanationImages.overlay(e, values: e.saliencyMagnitude), ".saliency.png")
        let n = e.side * e.side
        for ch in 0..<e.channels {
            try save(ExplanationImages.overlay(e, values: (0..<n).map { abs(e.saliency[ch * n + $0]) }), ".saliency-\(ch).png")
        }
        let levels = Set(e.attention.map(\.level)).sorted()
        if e.attentionIsInformative {
            for l in levels { if let a = e.attentionOnInput(level: l) { try save(ExplanationImages.overlay(e, values: a, stretch: true), ".attention-level\(l).png") } }
        }
        let classNames = model.metadata?.classNames ?? dataset.classNames
        let s = dataset.samples[index]
        let summary: [String: Any] = [
            "checkpoint": path, "sample": sample, "label": s.label, "label_name": classNames[s.label],
            "prediction": e.prediction, "prediction_name": classNames[e.prediction], "explained_class": e.explainedClass,
            "logits": e.logits.map(Double.init), "probabilities": e.probabilities,
            "saliency_convention": "d logit[explained_class] / d input, one sample; summaries are means of |.|",
            "regions": Explanation.regions, "channels": Explanation.channelNames,
            "saliency_mean_abs_region_by_channel": e.regionChannelMeans, "saliency_region_shares": e.regionShares,
            "saliency_channel_shares": e.channelShares,
            "attention": e.attention.map { ["level": $0.level, "layer": $0.layer, "side": $0.side, "blocks": $0.blocks, "heads": $0.heads,
                                            "seq_len": $0.seqLen, "received": $0.received.map(Double.init)] as [String: Any] },
        ]
        let json = try JSONSerialization.data(withJSONObject: summary, options: [.prettyPrinted, .sortedKeys])
        try json.write(to: URL(fileURLWithPath: base + ".explanation.json"), options: .atomic)
        written.append(base + ".explanation.json")
        print("explain: \(sample) (label \(classNames[s.label])) predicted \(classNames[e.prediction]) "
              + "p = \(String(format: "%.3f", e.probabilities[e.prediction])) by \(path)")
        print("saliency of class \(classNames[e.explainedClass]): mean |d logit / d input| per region and channel")
        print("  region".padding(toLength: 22, withPad: " ", startingAt: 0) + Explanation.channelNames.map { $0.padding(toLength: 17, withPad: " ", startingAt: 0) }.joined() + "share")
        for (r, row) in e.regionChannelMeans.enumerated() {
            print("  " + Explanation.regions[r].padding(toLength: 20, withPad: " ", startingAt: 0)
                  + row.map { String(format: "%-17.3g", $0) }.joined() + String(format: "%.1f%%", e.regionShares[r] * 100))
        }
        print("  channel shares: " + zip(Explanation.channelNames, e.channelShares).map { "\($0) \(String(format: "%.1f%%", $1 * 100))" }.joined(separator: ", "))
        if !e.attentionIsInformative { print("attention: every block holds one token (seq_len 1), so every weight is 1; no attention images") }
        written.forEach { print("wrote \($0)") }
    }
}
