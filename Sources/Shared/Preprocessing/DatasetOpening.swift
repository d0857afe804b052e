import Dataset
import Foundation

/// Opening a dataset by path lives here, beside the folder loader, because a folder holds PNG images
/// that only this module can decode; a feature cache needs the data core alone.
extension ComposedDataset {
    /// Opens a dataset folder (reference layout, or a faces folder: `FaceImageLoader`) or a feature-cache file, whichever `path` is.
    public static func open(path: String, options: LoadOptions = LoadOptions()) throws -> ComposedDataset {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw DatasetError(file: path, "no such dataset folder or feature-cache file")
        }
        guard isDirectory.boolValue else {
            // The annotation CSV given for its folder is the likely slip; the cache's magic-bytes error would not say so.
            if path.lowercased().hasSuffix(".csv") {
                throw DatasetError(file: path, "is a CSV file, not a dataset folder or feature cache: give the folder that holds it "
                                   + "(\((path as NSString).deletingLastPathComponent)); FER2013 CSVs are read with dataset: {format: fer2013, path: ...}")
            }
            return try FeatureCache.read(path: path)
        }
        if FaceImageLoader.isFacesFolder(path, classNames: options.classNames) {
            return try FaceImageLoader(directory: path, options: options).load()
        }
        return try CompositeLoader(directory: path, options: options).load()
    }
}
