import Dataset
import Foundation

/// Turns one annotated clip into its composite-layout files: finds the face on the onset frame,
/// spots the apex when the sheet has none, computes onset -> apex flow on the face crops, writes the
/// 28x28 flow image and the apex crop, and finds the five landmarks; with `parameters.dmarkers`,
/// also tracks dlib's 68 points from the onset to the offset for the clip's D-Markers. Every problem is an error
/// naming the annotation file, the row and the problem (with the frame file where there is one).
public struct SamplePreprocessor: Sendable {
    public let framesRoot: String
    public let annotationPath: String
    public let outDirectory: String
    public let parameters: PreprocessParameters
    let faces: CascadeFaceDetector
    let landmarks: FaceLandmarkDetector

    public init(framesRoot: String, annotationPath: String, outDirectory: String, parameters: PreprocessParameters,
                faces: CascadeFaceDetector, landmarks: FaceLandmarkDetector) {
        self.framesRoot = framesRoot
        self.annotationPath = annotationPath
        self.outDirectory = outDirectory
        self.parameters = parameters
        self.faces = faces
        self.landmarks = landmarks
    }

    public func process(_ entry: PreprocessPlan.Entry) throws -> SampleRecord {
        do {
            return try run(entry)
        } catch let error as DatasetError {
            // The row to fix comes first; the file at fault (a frame, a folder) stays in the message.
            let detail = error.file == annotationPath ? error.problem : error.description
            throw DatasetError(file: annotationPath, line: entry.line, "\(entry.subject)/\(entry.sample): \(detail)")
        }
    }

    private func run(_ entry: PreprocessPlan.Entry) throws -> SampleRecord {
        let p = parameters
        let folder = try FrameSequence.locate(root: framesRoot, templates: p.sampleFolders.map { try NameTemplate($0) },
                                              subject: entry.subject, sample: entry.sample, dataset: entry.dataset)
        let frames = try FrameSequence(folder: folder, naming: try p.naming(forDataset: entry.dataset),
                                       subject: entry.subject, sample: entry.sample, dataset: entry.dataset)
        let onsetFrame = try frames.read(frame: entry.onset)

        var faceFallbackReason: String?
        let box: FaceBox
        if let found = faces.largestFace(in: onsetFrame) {
            box = found
        } else if p.requireFace {
            throw DatasetError(file: try frames.path(frame: entry.onset),
                               "no face found on the onset frame (cascade \(faces.path))")
        } else {
            box = .centredSquare(rows: onsetFrame.rows, cols: onsetFrame.cols)
            faceFallbackReason = "no face found on the onset frame; used the centred square \(box.text)"
        }
        func crop(_ image: GrayImage, frame: Int) throws -> GrayImage {
            guard image.rows == onsetFrame.rows, image.cols == onsetFrame.cols else {
                throw DatasetError(file: try frames.path(frame: frame),
                                   "frame \(frame) is \(image.cols)x\(image.rows); the onset frame is \(onsetFrame.cols)x\(onsetFrame.rows)")
            }
            return image.cropped(to: box).resized(rows: p.faceSize, cols: p.faceSize)
        }
        let onsetCrop = try crop(onsetFrame, frame: entry.onset)

        let apexFrame: Int, apexCrop: GrayImage
        if let apex = entry.apex {
            apexFrame = apex
            apexCrop = try crop(try frames.read(frame: apex), frame: apex)
        } else {
            let last = entry.offset ?? frames.lastFrame(from: entry.onset)
            guard last > entry.onset else {
                throw DatasetError(file: try frames.path(frame: entry.onset + 1),
                                   "no apex in the sheet and no frame after the onset to spot one in")
            }
            var crops = [onsetCrop]
            for n in (entry.onset + 1)...last { crops.append(try crop(try frames.read(frame: n), frame: n)) }
            let spotted = ApexSpotter(grid: p.apexGrid, bins: p.apexBins).spot(crops)
            guard spotted.index > 0 else {
                throw DatasetError(file: folder, "no apex: no frame after the onset differs from it")
            }
            apexFrame = entry.onset + spotted.index
            apexCrop = crops[spotted.index]
        }

        var dmarkerValues: [Double]?, dmarkerTracking: DMarkerTracking?
        if let d = p.dmarkers {
            let tracked = try dmarkers(d, frames: frames, entry: entry, apexFrame: apexFrame, crop: crop)
            dmarkerValues = tracked.values
            dmarkerTracking = tracked.tracking
        }

        let flow = try OpticalFlowField.compute(from: onsetCrop, to: apexCrop, parameters: p.flow)
        let flowPath = outDirectory + "/flow/" + entry.id
        let apexName = entry.subject + "_" + entry.sample + ".png"
        try apexCrop.colour.writeAtomically(path: outDirectory + "/apex/" + apexName)
        let found = landmarks.landmarks(in: apexCrop, convention: p.landmarkConvention)
        try OpticalFlowImage.make(from: flow).writeAtomically(path: flowPath)
        return SampleRecord(key: SampleRecord.key(parameters: p, entry: entry), entry: entry, apexFrame: apexFrame,
                            apexSpotted: entry.apex == nil, faceBox: box, faceFallbackReason: faceFallbackReason,
                            landmarks: found.landmarks, landmarksDetected: found.detected,
                            landmarksFallbackReason: found.fallbackReason, apexImage: apexName,
                            dmarkers: dmarkerValues, dmarkerTracking: dmarkerTracking)
    }
}
