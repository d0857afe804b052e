import Dataset
import Foundation

/// Collects face-expression samples into a `ComposedDataset` of square BGR 0..255 images (the
/// dataset module's convention for every architecture; DDAMFN resizes to 112x112 and normalises
/// per batch, so a set is kept at `side`, e.g. FER2013's native 48: 27 KB a sample instead of the
/// 150 KB of a 112x112 one).
struct FaceSetBuilder {
    let side: Int
    let classNames: [String]
    let source: String
    private(set) var samples: [Sample] = []
    private(set) var inputs: [Float] = []

    init(side: Int, classNames: [String], source: String) {
        self.side = side
        self.classNames = classNames
        self.source = source
    }

    /// Appends one image (any size, 1 or 3 channels, OpenCV layout) resized bilinearly to `side`.
    mutating func append(_ image: Image8, sample: Sample) {
        samples.append(sample)
        let plane = side * side
        var planes = [Float](repeating: 0, count: 3 * plane)
        let sy = Double(image.rows) / Double(side), sx = Double(image.cols) / Double(side)
        image.pixels.withUnsafeBufferPointer { px in
            for y in 0..<side {
                let fy = max(0, (Double(y) + 0.5) * sy - 0.5)
                let y0 = min(Int(fy), image.rows - 1), y1 = min(y0 + 1, image.rows - 1), wy = Float(fy - Double(y0))
                for x in 0..<side {
                    let fx = max(0, (Double(x) + 0.5) * sx - 0.5)
                    let x0 = min(Int(fx), image.cols - 1), x1 = min(x0 + 1, image.cols - 1), wx = Float(fx - Double(x0))
                    for c in 0..<3 {
                        let k = min(c, image.channels - 1)   // grey images fill all three channels
                        func at(_ r: Int, _ q: Int) -> Float { Float(px[(r * image.cols + q) * image.channels + k]) }
                        let top = at(y0, x0) * (1 - wx) + at(y0, x1) * wx
                        let bottom = at(y1, x0) * (1 - wx) + at(y1, x1) * wx
                        planes[c * plane + y * side + x] = top * (1 - wy) + bottom * wy
                    }
                }
            }
        }
        inputs += planes
    }

    func build(file: String, hash: String) -> ComposedDataset {
        let subjects = ComposedDataset.distinct(samples.map(\.subject))
        let manifest = DatasetManifest(source: source, annotationFile: file, annotationHash: hash, landmarksFile: nil,
                                       landmarksHash: nil, flowDirectory: "", flowImagesHash: "", apexDirectory: nil,
                                       inputsHash: { var h = FNV1a(); h.update(floats: inputs); return h.hex }(),
                                       options: LoadOptions(classNames: classNames), sampleCount: samples.count,
                                       subjectCount: subjects.count, landmarksDetected: 0, landmarksFallbackInFile: 0,
                                       landmarksMissingRow: 0, subjectsWithoutSamples: [])
        return ComposedDataset(classNames: classNames, samples: samples, inputs: inputs, imageSize: side, channels: 3, manifest: manifest)
    }

    /// A file's content hash for the manifest (identifies the data a run read).
    static func fileHash(_ path: String) -> String {
        guard let data = FileManager.default.contents(atPath: path) else { return "" }
        return FNV1a.hex(of: data)
    }
}

/// The seven basic expressions in FER2013's label order (0 anger ... 6 neutral).
public enum FaceExpressionClasses {
    public static let fer2013 = ["anger", "disgust", "fear", "happiness", "sadness", "surprise", "neutral"]
    /// FER+'s first eight vote columns, in the label file's order.
    public static let ferPlus = ["neutral", "happiness", "surprise", "sadness", "anger", "disgust", "fear", "contempt"]
    /// RAF-DB's basic labels 1...7.
    public static let rafDB = ["surprise", "fear", "disgust", "happiness", "sadness", "anger", "neutral"]
}
