import Dataset
import Foundation

extension SamplePreprocessor {
    /// The clip's D-Markers: dlib's 68 points on the face crop (the onset frame's face box, as the
    /// flow uses) of every tracked frame from the onset to the offset (the sheet's, else the last
    /// consecutive frame), frames without a face interpolated (`LandmarkTrack`), then `DMarkers`.
    /// A frame that is missing or unreadable is an error of the sample; a clip dlib cannot track,
    /// or whose apex is its first or last tracked frame, gets no D-Markers and the reason.
    func dmarkers(_ d: DMarkerParameters, frames: FrameSequence, entry: PreprocessPlan.Entry, apexFrame: Int,
                  crop: (GrayImage, Int) throws -> GrayImage) throws -> (values: [Double]?, tracking: DMarkerTracking) {
        let offset = entry.offset ?? frames.lastFrame(from: entry.onset)
        let fps = d.fps(forDataset: entry.dataset) / Double(d.stride)
        let (tracked, apexIndex) = LandmarkTrack.trackedFrames(onset: entry.onset, apex: apexFrame, offset: offset, stride: d.stride)
        var found: [[(x: Double, y: Double)]?] = []
        for n in tracked {
            let image = try crop(try frames.read(frame: n), n)
            if case .success(let shape) = landmarks.shape(in: image) { found.append(shape.points) } else { found.append(nil) }
        }
        let noFace = found.filter { $0 == nil }.count
        func none(_ reason: String) -> ([Double]?, DMarkerTracking) {
            (nil, DMarkerTracking(frames: tracked.count, interpolated: noFace, fps: fps, missingReason: reason))
        }
        let track: LandmarkTrack
        do { track = try LandmarkTrack(frames: tracked, found: found) } catch { return none("\(error)") }
        do {
            let values = try DMarkers.compute(frames: track.points, fps: fps, apex: apexIndex)
            return (values, DMarkerTracking(frames: tracked.count, interpolated: track.filledCount, fps: fps, missingReason: nil))
        } catch {
            return none("frames \(tracked.first!)-\(tracked.last!), apex \(tracked[apexIndex]): \(error)")
        }
    }
}
