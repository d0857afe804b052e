/// How a dataset's model inputs were composed, recorded in every kept checkpoint so that `predict`
/// composes new data the same way (and refuses data it cannot compose alike).
public struct InputComposition: Codable, Equatable, Sendable {
    /// The composer: `htnet-landmark-tiles` is InputComposer (four 14x14 flow crops around the eyes
    /// and mouth corners, docs/DESIGN.md section 4).
    public var composer: String
    /// The landmark crop rule the loader used.
    public var crop: CropRule
    public var imageSize: Int
    public var channels: Int
    /// Memory layout and value range of one sample.
    public var layout: String

    public static let landmarkTiles = "htnet-landmark-tiles"

    public init(composer: String = InputComposition.landmarkTiles, crop: CropRule, imageSize: Int, channels: Int,
                layout: String = "CHW, BGR channel order, 0...255, not normalised") {
        self.composer = composer
        self.crop = crop
        self.imageSize = imageSize
        self.channels = channels
        self.layout = layout
    }

    public init(of dataset: ComposedDataset) {
        self.init(crop: dataset.manifest.options.crop, imageSize: dataset.imageSize, channels: dataset.channels)
    }

    enum CodingKeys: String, CodingKey { case composer, crop, imageSize = "image_size", channels, layout }
}
