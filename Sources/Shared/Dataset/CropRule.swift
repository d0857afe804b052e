/// How a landmark (x, y) picks its 14x14 crop.
public enum CropRule: String, Codable, CaseIterable, Sendable {
    /// The reference implementation's rule: rows from x, columns from y. It transposes the
    /// geometric meaning of MTCNN's (x = column, y = row), but it is what published HTNet numbers
    /// were obtained with, so it is the default.
    case reference
    /// Rows from y, columns from x: the crop is centred on the landmark as drawn on the image.
    case geometric
}
