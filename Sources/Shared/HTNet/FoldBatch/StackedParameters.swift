import Tensor

/// F models' parameters, gradients and Adam moments, each one contiguous [F, P] buffer (model f's
/// values at f * P ..< (f + 1) * P, in ParameterLayout order): the layout the GPU engine keeps on the
/// device, so that every parameter tensor of the F models is one strided batch (stride P) for cuBLAS
/// and Adam is one pass over F * P values. On the CPU each model works on views of its slice.
public final class StackedParameters {
    public let models: Int
    /// Values per model (ParameterLayout.count).
    public let perModel: Int
    public let parameters: FloatBuffer
    public let gradients: FloatBuffer
    /// Adam's first and second moments, same layout.
    public let firstMoments: FloatBuffer
    public let secondMoments: FloatBuffer

    public init(models: Int, perModel: Int) {
        precondition(models >= 1 && perModel >= 1, "a stack needs at least one model and one parameter")
        self.models = models
        self.perModel = perModel
        parameters = FloatBuffer(count: models * perModel)
        gradients = FloatBuffer(count: models * perModel)
        firstMoments = FloatBuffer(count: models * perModel)
        secondMoments = FloatBuffer(count: models * perModel)
    }

    /// Model f's parameter and gradient slices, for HTNetModel(storage:).
    public func storage(model f: Int) -> (parameters: FloatBuffer, gradients: FloatBuffer) {
        precondition(f >= 0 && f < models, "model \(f) outside 0..<\(models)")
        return (FloatBuffer(viewing: parameters, offset: f * perModel, count: perModel),
                FloatBuffer(viewing: gradients, offset: f * perModel, count: perModel))
    }
}
