import ArgumentParser
import Dataset
import Foundation
import Preprocessing

/// `coordinator dataset ...`: look at a dataset before training on it, and build its feature cache.
struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Inspect a dataset folder or feature cache, or build a feature cache.",
        subcommands: [Inspect.self, Cache.self]
    )

    struct Inspect: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Counts per source dataset, subject and class; landmark provenance; what was skipped and why.")

        @Argument(help: "A dataset folder (reference layout) or a feature-cache file.")
        var path: String
        @OptionGroup var options: DatasetOptions

        func run() throws {
            let data = try ComposedDataset.open(path: path, options: options.loadOptions)
            var text = DatasetSummary(data).text
            if !isDirectory(path) { text = "feature cache: \(path)\n" + text }
            print(text, terminator: "")
        }
    }

    struct Cache: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compose a dataset folder once and write its feature cache (zstd, checksummed).")

        @Argument(help: "A dataset folder in the reference layout.")
        var directory: String
        @Option(help: "The cache file to write.")
        var out: String
        @OptionGroup var options: DatasetOptions

        func run() throws {
            let loader = CompositeLoader(directory: directory, options: options.loadOptions) {
                FileHandle.standardError.write(Data(("cache: " + $0 + "\n").utf8))
            }
            let data = try loader.load()
            try FeatureCache.write(data, to: out)
            let bytes = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
            print("wrote \(out): \(data.samples.count) samples, \(data.subjects.count) subjects, \(bytes) bytes")
            for skip in data.skipped { print("  \(skip)") }
        }
    }
}

private func isDirectory(_ path: String) -> Bool {
    var flag: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &flag) && flag.boolValue
}
