import Foundation

/// The SHA-256 of what a run trains and tests on: class names, then every sample's id, subject,
/// source dataset and label, then the composed inputs' float32 bytes (little-endian), in sample order,
/// then (when there are any) the handcrafted feature columns and values.
/// It ignores where the data lives (a moved folder or a cache made from it gives the same digest)
/// and changes with any label, sample or input value, so `--resume` can refuse a changed dataset.
public enum DatasetFingerprint {
    public static func sha256(of dataset: ComposedDataset) -> String {
        var hash = SHA256()
        func field(_ s: String) { hash.update(Array(s.utf8)); hash.update([0]) }
        for name in dataset.classNames { field(name) }
        field("samples")
        for s in dataset.samples {
            field(s.id); field(s.subject); field(s.dataset); field(String(s.label))
            if let split = s.split { field("split:" + split) }   // only when the data has a split column
        }
        field("inputs")
        dataset.inputs.withUnsafeBytes { hash.update($0) }
        // Handcrafted features only when present, so datasets without them keep their digest.
        if let h = dataset.handcrafted {
            field("handcrafted")
            for c in h.columns { field(c) }
            h.values.withUnsafeBytes { hash.update($0) }
        }
        return hash.finalizeHex()
    }
}
