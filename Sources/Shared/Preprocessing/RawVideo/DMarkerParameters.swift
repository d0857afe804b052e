import Dataset
import Foundation

/// How `coordinator preprocess --dmarkers` tracks a clip for its D-Markers (`DMarkers`): dlib's 68
/// points on every `stride`-th frame from the onset to the offset frame, at each dataset's frame rate.
/// Part of `PreprocessParameters` only when D-Markers are asked for (nil otherwise, so the
/// parameter hash of runs without them is what it was before D-Markers existed).
public struct DMarkerParameters: Codable, Equatable, Sendable {
    /// Track frames onset, onset + stride, ... up to the offset; the apex is the nearest of them and
    /// speeds use fps / stride. 1 tracks every frame.
    public var stride = 1
    /// Frame rate per dataset (the sheet's dataset name, as written there); overrides `fpsForAll`.
    public var fps: [String: Double] = [:]
    /// Frame rate for every dataset not named in `fps`; overrides `defaultFPS(dataset:)`.
    public var fpsForAll: Double?

    public init() {}

    /// A clip is described only when dlib finds the face on at least this fraction of its tracked
    /// frames (and on at least two); the other frames are interpolated (`LandmarkTrack`).
    public static let minimumDetectedFraction = 0.5

    /// The frame rates the datasets were recorded at: CASME II and SAMM 200 fps, SMIC (the
    /// high-speed camera, SMIC-HS) 100, SMIC-VIS and SMIC-NIR 25, CASME 60, MMEW 90, CAS(ME)^3 30;
    /// any other dataset 30 (ordinary video). The name is matched ignoring case, spaces and
    /// punctuation, by prefix (casme2 / casmeii, samm, smicvis, smicnir, smic, casme3 / casmeiii,
    /// casme, mmew).
    public static func defaultFPS(dataset: String) -> Double {
        let key = dataset.lowercased().filter { $0.isLetter || $0.isNumber }
        let table: [(String, Double)] = [("casme2", 200), ("casmeii", 200), ("casme3", 30), ("casmeiii", 30), ("casme", 60),
                                         ("samm", 200), ("smicvis", 25), ("smicnir", 25), ("smic", 100), ("mmew", 90)]
        return table.first { key.hasPrefix($0.0) }?.1 ?? 30
    }

    /// The frame rate used for `dataset`.
    public func fps(forDataset dataset: String) -> Double {
        fps[dataset] ?? fpsForAll ?? Self.defaultFPS(dataset: dataset)
    }
}
