import Tensor

/// `b c (h p1) (w p2) -> b (p1 p2 c) h w` (channel fastest inside a patch), then a 1x1 conv to `dim`.
/// The input image batch is NCHW; the output tokens are raster order, channels fastest.
final class PatchEmbedding {
    let channels: Int, image: Int, patch: Int, grid: Int
    let projection: PointwiseLinear
    let patches: FloatBuffer

    init(config c: HTNetConfig, layout: ParameterLayout, maxBatch: Int) {
        channels = c.channels
        image = c.imageSize
        patch = c.patchSize
        grid = c.fmap
        projection = PointwiseLinear(input: c.patchDim, output: c.dim,
                                     weight: layout["to_patch_embedding.1.weight"].offset,
                                     bias: layout["to_patch_embedding.1.bias"].offset)
        patches = FloatBuffer(count: maxBatch * grid * grid * c.patchDim)
    }

    func forward(_ p: UnsafeMutablePointer<Float>, images: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, batch: Int) {
        let pd = projection.input
        for b in 0..<batch {
            for h in 0..<grid {
                for w in 0..<grid {
                    let row = patches.pointer + ((b * grid + h) * grid + w) * pd
                    for p1 in 0..<patch {
                        for p2 in 0..<patch {
                            for c in 0..<channels {
                                row[(p1 * patch + p2) * channels + c] =
                                    images[((b * channels + c) * image + h * patch + p1) * image + w * patch + p2]
                            }
                        }
                    }
                }
            }
        }
        projection.forward(p, x: patches.pointer, y: y, tokens: batch * grid * grid)
    }

    /// Training needs no input gradient, only the projection's parameters'; `dImages` [batch,
    /// channels, image, image] (saliency maps) is written when given: the patch gradient scattered back
    /// through the patch rearrangement (a permutation, so each pixel gets exactly one value).
    func backward(_ p: UnsafeMutablePointer<Float>, _ g: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>, batch: Int,
                  dImages: UnsafeMutablePointer<Float>? = nil) {
        let pd = projection.input
        guard let dImages else {
            projection.backward(p, g, x: patches.pointer, dy: dy, dx: nil, tokens: batch * grid * grid)
            return
        }
        let dPatches = FloatBuffer(count: batch * grid * grid * pd)
        projection.backward(p, g, x: patches.pointer, dy: dy, dx: dPatches.pointer, tokens: batch * grid * grid)
        for b in 0..<batch {
            for h in 0..<grid {
                for w in 0..<grid {
                    let row = dPatches.pointer + ((b * grid + h) * grid + w) * pd
                    for p1 in 0..<patch {
                        for p2 in 0..<patch {
                            for c in 0..<channels {
                                dImages[((b * channels + c) * image + h * patch + p1) * image + w * patch + p2] =
                                    row[(p1 * patch + p2) * channels + c]
                            }
                        }
                    }
                }
            }
        }
    }
}
