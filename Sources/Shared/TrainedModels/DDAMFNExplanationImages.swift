/// The pictures of a DDAMFNExplanation, all 112x112 like the network input: the face it saw, and
/// heat maps over that face's grey level (as HTNet's overlays: 35% grey, 65% heat).
extension ExplanationImages {
    /// The face as the network saw it (resized, de-normalised), RGB.
    public static func face(_ e: DDAMFNExplanation) -> PNGImage {
        let plane = DDAMFNExplanation.side * DDAMFNExplanation.side, rgbPlanes = e.face
        var rgb = [UInt8](repeating: 0, count: plane * 3)
        for i in 0..<plane { for c in 0..<3 { rgb[i * 3 + c] = UInt8(max(0, min(255, rgbPlanes[c * plane + i].rounded()))) } }
        return PNGImage(width: DDAMFNExplanation.side, height: DDAMFNExplanation.side, rgb: rgb)
    }

    /// max over channels of |saliency|, scaled by its maximum.
    public static func saliency(_ e: DDAMFNExplanation) -> PNGImage {
        overlay(e, values: e.saliencyMagnitude, stretch: false)
    }

    /// A [512, 7, 7] map (a head's or M): its channel mean, bilinearly upsampled, stretched from its
    /// minimum to its maximum (sigmoid products sit in a narrow band).
    public static func map(_ e: DDAMFNExplanation, _ map: [Float]) -> PNGImage {
        overlay(e, values: DDAMFNExplanation.upsampled(DDAMFNExplanation.channelMean(map)), stretch: true)
    }

    static func overlay(_ e: DDAMFNExplanation, values: [Float], stretch: Bool) -> PNGImage {
        let plane = DDAMFNExplanation.side * DDAMFNExplanation.side, rgb = e.face
        let grey = (0..<plane).map { (rgb[$0] + rgb[plane + $0] + rgb[2 * plane + $0]) / 3 }
        return heat(values, over: grey, side: DDAMFNExplanation.side, stretch: stretch)
    }
}
