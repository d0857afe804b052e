import Dataset
import Foundation

/// What preprocessing found for one sample, kept next to the output (`.preprocess/<sub>_<sample>.json`)
/// once the sample's images are written. It is how a re-run knows a sample is done (same `key`:
/// same parameters and same annotation row) and how the final CSVs and report are rebuilt
/// without recomputing anything.
public struct SampleRecord: Codable, Equatable, Sendable {
    public static let folderName = ".preprocess"

    /// Hash of the parameters and the annotation row that produced this record.
    public var key: String
    public var entry: PreprocessPlan.Entry
    public var apexFrame: Int
    /// True when the sheet gave no apex and the ROI histogram spotter chose it.
    public var apexSpotted: Bool
    public var faceBox: FaceBox
    /// Why the face box is the centred-square fallback (nil when the cascade found the face).
    public var faceFallbackReason: String?
    public var landmarks: FaceLandmarks
    public var landmarksDetected: Bool
    public var landmarksFallbackReason: String?
    /// The apex crop's file name in `apex/`.
    public var apexImage: String
    /// The clip's D-Markers (`DMarkers.columns` order), when asked for and computable.
    public var dmarkers: [Double]?
    /// The D-Markers' tracking: frames tracked, frames where dlib found no face (interpolated),
    /// the frame rate used; or why the clip has none. Nil when D-Markers were not asked for.
    public var dmarkerTracking: DMarkerTracking?

    static func key(parameters: PreprocessParameters, entry: PreprocessPlan.Entry) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var h = FNV1a()
        h.update(Data(parameters.hash.utf8))
        h.update((try? encoder.encode(entry)) ?? Data())
        return h.hex
    }

    static func path(directory: String, entry: PreprocessPlan.Entry) -> String {
        directory + "/" + folderName + "/" + entry.subject + "_" + entry.sample + ".json"
    }

    static func read(path: String) -> SampleRecord? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        return try? JSONDecoder().decode(SampleRecord.self, from: data)
    }

    func write(path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        do {
            try encoder.encode(self).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw DatasetError(file: path, "cannot write: \(error.localizedDescription)")
        }
    }
}
