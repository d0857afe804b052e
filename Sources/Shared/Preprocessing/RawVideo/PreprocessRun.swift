import Dataset
import Foundation

/// `coordinator preprocess` as a library call: reads the sheet, preprocesses every sample in
/// parallel (skipping samples already done with the same parameters), then writes the composite
/// layout's CSVs, the class map and a report. A failing sample does not stop the others and loses
/// nothing already written; failures are returned (and listed in the report) for the caller to judge.
public struct PreprocessRun {
    public var framesRoot: String
    public var annotationPath: String
    public var outDirectory: String
    public var parameters: PreprocessParameters
    public var classMap: EmotionClassMap
    /// Used when the sheet has no dataset column.
    public var defaultDataset: String?
    public var workers: Int
    /// Called (from worker threads, one call at a time) with one line per finished sample.
    public var progress: (@Sendable (String) -> Void)?
    /// An already loaded landmark detector (loading dlib's model takes a second or two); nil loads
    /// `parameters.landmarkModel`.
    public var landmarkDetector: FaceLandmarkDetector?

    public init(framesRoot: String, annotationPath: String, outDirectory: String,
                parameters: PreprocessParameters = PreprocessParameters(), classMap: EmotionClassMap = .standard,
                defaultDataset: String? = nil, workers: Int = ProcessInfo.processInfo.activeProcessorCount,
                progress: (@Sendable (String) -> Void)? = nil) {
        self.framesRoot = framesRoot
        self.annotationPath = annotationPath
        self.outDirectory = outDirectory
        self.parameters = parameters
        self.classMap = classMap
        self.defaultDataset = defaultDataset
        self.workers = workers
        self.progress = progress
    }

    public struct Summary: Sendable {
        public var records: [SampleRecord]
        /// Samples found done by an earlier run with the same parameters.
        public var reused: Int
        public var excluded: [PreprocessPlan.Excluded]
        /// Rows of the sheet that could not be preprocessed (planning or processing).
        public var failures: [DatasetError]
        public var reportPath: String

        public var spottedApexes: Int { records.filter(\.apexSpotted).count }
        public var faceFallbacks: Int { records.filter { $0.faceFallbackReason != nil }.count }
        public var landmarkFallbacks: Int { records.filter { !$0.landmarksDetected }.count }
        /// Samples with D-Markers (features.csv rows), frames interpolated in them, samples without.
        public var dmarkerSamples: Int { records.filter { $0.dmarkers != nil }.count }
        public var dmarkerInterpolatedFrames: Int {
            records.filter { $0.dmarkers != nil }.compactMap { $0.dmarkerTracking?.interpolated }.reduce(0, +)
        }
        public var dmarkerMissing: [SampleRecord] { records.filter { $0.dmarkerTracking != nil && $0.dmarkers == nil } }
        /// features.csv, when D-Markers were asked for.
        public var featuresPath: String?
    }

    public func run() throws -> Summary {
        try OpenCVLibrary.require(for: "preprocessing raw frames", file: framesRoot)
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: framesRoot, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError(file: framesRoot, "frames root not found")
        }
        let plan = try PreprocessPlan.read(path: annotationPath, classMap: classMap, defaultDataset: defaultDataset)
        for folder in ["", "/flow", "/apex", "/" + SampleRecord.folderName] {
            do {
                try fm.createDirectory(atPath: outDirectory + folder, withIntermediateDirectories: true)
            } catch {
                throw DatasetError(file: outDirectory + folder, "cannot create the folder: \(error.localizedDescription)")
            }
        }
        let faces = try CascadeFaceDetector(path: parameters.faceCascade)
        let landmarks = try landmarkDetector ?? FaceLandmarkDetector(modelPath: parameters.landmarkModel)
        let preprocessor = SamplePreprocessor(framesRoot: framesRoot, annotationPath: annotationPath,
                                              outDirectory: outDirectory, parameters: parameters,
                                              faces: faces, landmarks: landmarks)

        let entries = plan.entries
        let results = SampleResults(count: entries.count)
        let total = entries.count
        let progress = self.progress
        let outDirectory = self.outDirectory, parameters = self.parameters
        let estimate = ProgressEstimate(total: total)
        DispatchQueue.concurrentPerform(iterations: max(1, min(workers, max(total, 1)))) { _ in
            while let i = results.claim() {
                let entry = entries[i]
                let started = Date()
                let sidecar = SampleRecord.path(directory: outDirectory, entry: entry)
                let key = SampleRecord.key(parameters: parameters, entry: entry)
                let outcome: Result<SampleRecord, DatasetError>
                var reused = false
                if let done = SampleRecord.read(path: sidecar), done.key == key,
                   fm.fileExists(atPath: outDirectory + "/flow/" + entry.id) {
                    outcome = .success(done)
                    reused = true
                } else {
                    do {
                        let record = try preprocessor.process(entry)
                        try record.write(path: sidecar)
                        outcome = .success(record)
                    } catch let error as DatasetError {
                        outcome = .failure(error)
                    } catch {
                        outcome = .failure(DatasetError(file: annotationPath, line: entry.line, "\(error)"))
                    }
                }
                let finished = results.store(i, outcome, reused: reused)
                if let progress {
                    let line: String
                    switch outcome {
                    case .success(let r):
                        let dmarkers: String = r.dmarkerTracking.map { ", D-Markers \($0.summary)" } ?? ""
                        line = reused ? "already done (same parameters)" :
                            "apex \(r.apexFrame)\(r.apexSpotted ? " (spotted)" : ""), face \(r.faceFallbackReason == nil ? "found" : "FALLBACK"), landmarks \(r.landmarksDetected ? "detected" : "FALLBACK")\(dmarkers) " +
                            String(format: "(%.2f s)", Date().timeIntervalSince(started))
                    case .failure(let e): line = "FAILED: \(e)"
                    }
                    results.report { progress("[\(finished)/\(total), \(estimate.text(completed: finished))] \(entry.subject)/\(entry.sample): \(line)") }
                }
            }
        }

        let records = results.records
        let failures = plan.problems + results.failures
        let output = PreprocessOutput(directory: outDirectory, classMap: classMap)
        try output.write(records: records, plan: plan, failures: failures, parameters: parameters)
        return Summary(records: records, reused: results.reusedCount, excluded: plan.excluded,
                       failures: failures.sorted { ($0.line ?? 0) < ($1.line ?? 0) }, reportPath: output.reportPath,
                       featuresPath: parameters.dmarkers == nil ? nil : outDirectory + "/" + PreprocessOutput.featuresFileName)
    }
}

/// The per-sample outcomes of a parallel run, behind a lock, in sheet order.
private final class SampleResults: @unchecked Sendable {
    private let lock = NSLock()
    private let reportLock = NSLock()
    private var next = 0
    private var finished = 0
    private var outcomes: [Result<SampleRecord, DatasetError>?]
    private(set) var reusedCount = 0

    init(count: Int) { outcomes = Array(repeating: nil, count: count) }

    func claim() -> Int? {
        lock.withLock {
            guard next < outcomes.count else { return nil }
            next += 1
            return next - 1
        }
    }

    /// Stores an outcome; returns how many samples are finished now.
    func store(_ index: Int, _ outcome: Result<SampleRecord, DatasetError>, reused: Bool) -> Int {
        lock.withLock {
            outcomes[index] = outcome
            if reused { reusedCount += 1 }
            finished += 1
            return finished
        }
    }

    func report(_ body: () -> Void) { reportLock.withLock(body) }

    var records: [SampleRecord] {
        lock.withLock { outcomes.compactMap { if case .success(let r)? = $0 { return r } else { return nil } } }
    }

    var failures: [DatasetError] {
        lock.withLock { outcomes.compactMap { if case .failure(let e)? = $0 { return e } else { return nil } } }
    }
}
