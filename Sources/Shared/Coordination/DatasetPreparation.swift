import Dataset
import Foundation
import Preprocessing

/// Builds the experiment's dataset once, on the coordinator, and checks it against every variant
/// before any training starts.
public enum DatasetPreparation {
    /// Synthetic data is generated into OUT/data (kept, so a resumed run reads the same samples).
    /// `classes` (the experiment's `classes:`) sets the class list a folder's labels are read with
    /// (through its map when it has one) and the classes synthetic data is generated with; nil keeps
    /// the composite's three MER classes.
    public static func load(_ spec: DatasetSpec, outDirectory: String, classes: ClassSpec? = nil) throws -> ComposedDataset {
        var dataset = try loadSamples(spec, outDirectory: outDirectory, classes: classes)
        // Handcrafted features are read and checked here, before any training starts.
        let generated = (outDirectory as NSString).appendingPathComponent("data/" + SyntheticSmiles.featureFileName)
        if let path = spec.features ?? (spec.kind == .syntheticSmiles ? generated : nil) {
            dataset.handcrafted = try HandcraftedFeatureFile.read(path: path, samples: dataset.samples)
        }
        return dataset
    }

    static func loadSamples(_ spec: DatasetSpec, outDirectory: String, classes: ClassSpec?) throws -> ComposedDataset {
        let options = LoadOptions(classNames: classes?.names ?? LoadOptions.threeClassMER, labelMap: classes?.map)
        switch spec.kind {
        case .synthetic:
            let directory = (outDirectory as NSString).appendingPathComponent("data")
            if !FileManager.default.fileExists(atPath: directory) {
                let staging = directory + ".partial"
                try? FileManager.default.removeItem(atPath: staging)
                var configuration = SyntheticComposite.Configuration()
                for i in configuration.sources.indices {
                    if let subjects = spec.subjects { configuration.sources[i].subjects = subjects }
                    if let samples = spec.samples { configuration.sources[i].samples = samples }
                }
                configuration.classNames = options.classNames
                try SyntheticComposite.generate(into: staging, seed: spec.seed ?? 0, configuration: configuration)
                try FileManager.default.moveItem(atPath: staging, toPath: directory)
            }
            return try CompositeLoader(directory: directory, options: options).load()
        case .syntheticFaces:
            let directory = (outDirectory as NSString).appendingPathComponent("data")
            if !FileManager.default.fileExists(atPath: directory) {
                let staging = directory + ".partial"
                try? FileManager.default.removeItem(atPath: staging)
                var configuration = SyntheticGradedFaces.Configuration()
                if let subjects = spec.subjects { configuration.subjects = subjects }
                if let samples = spec.samples { configuration.imagesPerSubject = samples }
                try SyntheticGradedFaces.generate(into: staging, seed: spec.seed ?? 0, configuration: configuration)
                try FileManager.default.moveItem(atPath: staging, toPath: directory)
            }
            return try FaceImageLoader(directory: directory, options: options).load()
        case .syntheticSmiles:
            let directory = (outDirectory as NSString).appendingPathComponent("data")
            if !FileManager.default.fileExists(atPath: directory) {
                let staging = directory + ".partial"
                try? FileManager.default.removeItem(atPath: staging)
                var configuration = SyntheticSmiles.Configuration()
                if let subjects = spec.subjects { configuration.subjects = subjects }
                if let samples = spec.samples { configuration.samples = samples }
                try SyntheticSmiles.generate(into: staging, seed: spec.seed ?? 0, configuration: configuration)
                try FileManager.default.moveItem(atPath: staging, toPath: directory)
            }
            return try CompositeLoader(directory: directory, options: LoadOptions(classNames: SyntheticSmiles.classNames)).load()
        case .composite, .cache:
            return try ComposedDataset.open(path: spec.path ?? "", options: options)
        case .syntheticExpressions:
            return SyntheticFaceExpressions.generate(seed: spec.seed ?? 0, subjects: spec.subjects ?? 12, samplesPerSubject: spec.samples ?? 14,
                                                     classNames: classes?.names ?? FaceExpressionClasses.fer2013)
        case .fer2013:
            return try FER2013Loader.load(csv: spec.path ?? "", usages: spec.usage.map(Set.init))
        case .ferplus:
            return try FER2013Loader.load(csv: spec.path ?? "", ferPlus: spec.labels ?? "", usages: spec.usage.map(Set.init))
        case .rafdb:
            return try RAFDBLoader.load(labels: spec.labels ?? "", images: spec.path ?? "")
        case .classFolders:
            return try ClassFolderLoader.load(root: spec.path ?? "", classNames: classes?.names)
        }
    }

    /// What the loader decided for the user's data, for the run log: how every sample got its
    /// landmarks (fallback landmarks change the input composition), rows skipped and why, subjects
    /// left without samples. Silent otherwise only when there is nothing to say.
    public static func inputNotes(_ dataset: ComposedDataset) -> [String] {
        let m = dataset.manifest
        var notes: [String] = []
        let fallback = m.landmarksFallbackInFile + m.landmarksMissingRow
        if fallback > 0 {
            notes.append("landmarks: \(m.landmarksDetected) detected, \(m.landmarksFallbackInFile) fallback rows in "
                         + "\(m.landmarksFile.map { ($0 as NSString).lastPathComponent } ?? "the landmarks file"), "
                         + "\(m.landmarksMissingRow) samples with no landmarks row: \(fallback) of \(m.sampleCount) use the reference's fallback landmarks")
        }
        if m.annotationFile.hasSuffix("/" + FaceImageLoader.csvName) || m.annotationFile == m.source, m.landmarksFile == nil, m.flowDirectory == m.source {
            notes.append("faces: \(m.landmarksDetected) of \(m.sampleCount) images with landmarks (pre-aligned 28x28 with landmarks in \(FaceImageLoader.csvName), "
                         + "or aligned by cascade face + dlib landmarks), \(m.landmarksMissingRow) without a face for dlib (fallback landmarks)")
        }
        if !dataset.skipped.isEmpty {
            notes.append("skipped \(dataset.skipped.count) sample(s) (--skip-invalid):")
            notes += dataset.skipped.prefix(20).map { "  \($0.id): \($0.error)" }
            if dataset.skipped.count > 20 { notes.append("  ... \(dataset.skipped.count - 20) more (coordinator dataset inspect lists all)") }
        }
        if !m.subjectsWithoutSamples.isEmpty {
            notes.append("subjects without samples (no fold): \(m.subjectsWithoutSamples.joined(separator: ", "))")
        }
        return notes
    }

    /// Problems that make the dataset unusable for this experiment, in words a user can act on.
    public static func problems(_ dataset: ComposedDataset, experiment: Experiment) -> [String] {
        var problems: [String] = []
        let subjects = dataset.subjects
        if dataset.samples.isEmpty { problems.append("the dataset has no samples") }
        if subjects.count < 2 { problems.append("the dataset has \(subjects.count) subject(s); folds by subject need at least 2") }
        if experiment.evaluation.kind == .kfold, let k = experiment.evaluation.k, k > subjects.count {
            problems.append("protocol.kfold \(k) is more than the dataset's \(subjects.count) subjects")
        }
        if let classes = experiment.classes, classes.names != dataset.classNames {
            problems.append("classes: \(classes.names.joined(separator: ", ")) but the dataset's classes are \(dataset.classNames.joined(separator: ", "))")
        }
        if experiment.evaluation.kind == .split {
            let splits = dataset.samples.map(\.split)
            if splits.allSatisfy({ $0 == nil }) {
                problems.append("protocol split: column, but the dataset has no split column (train, val, test per row)")
            } else {
                for name in [SplitName.train, SplitName.test] where !splits.contains(name) {
                    problems.append("protocol split: column, but no row has split '\(name)'")
                }
            }
        } else if experiment.selection == .validation, !subjects.isEmpty {
            let folds = LOSOPlanner.folds(subjects: dataset.samples.map(\.subject), labels: dataset.labels,
                                          protocol: experiment.evaluation, validation: true)
            let empty = folds.filter { $0.validationIndices.isEmpty || $0.trainIndices.isEmpty }.map(\.key)
            if !empty.isEmpty {
                problems.append("epoch_selection: validation needs at least 2 training subjects per fold to hold some out; folds \(empty.prefix(5).joined(separator: ", ")) have fewer")
            }
        }
        for v in experiment.variants {
            if v.classCount != dataset.classNames.count {
                problems.append("variant \(v.name): model.num_classes \(v.classCount) but the dataset has \(dataset.classNames.count) classes (\(dataset.classNames.joined(separator: ", ")))")
            }
            if v.model.usesFeatures && dataset.handcrafted == nil {
                problems.append("variant \(v.name): model.fusion \(v.model.fusion!.rawValue) needs handcrafted features; give dataset.features (a CSV of sample id and numeric columns)")
            }
            if v.ddamfn != nil {
                // DDAMFN resizes any square 3-channel image to 112x112 (DDAMFNInput).
                if dataset.channels != 3 {
                    problems.append("variant \(v.name): DDAMFN takes 3-channel images, the dataset has \(dataset.channels) channels")
                }
            } else if v.model.imageSize != dataset.imageSize || v.model.channels != dataset.channels {
                problems.append("variant \(v.name): the model takes \(v.model.channels)x\(v.model.imageSize)x\(v.model.imageSize) inputs, the dataset has \(dataset.channels)x\(dataset.imageSize)x\(dataset.imageSize)")
            }
        }
        if let bad = dataset.samples.first(where: { $0.label < 0 || $0.label >= dataset.classNames.count }) {
            problems.append("sample \(bad.id) has label \(bad.label) outside 0..<\(dataset.classNames.count)")
        }
        return problems
    }
}
