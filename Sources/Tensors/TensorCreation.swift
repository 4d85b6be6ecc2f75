extension Tensor {
    /// A tensor of `shape` filled with `value`.
    public static func full(_ value: Float, shape: [Int]) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        t.storage.pointer.update(repeating: value, count: t.count)
        return t
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { full(0, shape: shape) }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor { full(1, shape: shape) }

    /// A zero tensor shaped like `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }

    /// Samples from a normal distribution with the given mean and standard deviation.
    public static func randomNormal(
        _ shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
        generator: inout RandomGenerator
    ) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        for i in 0..<t.count {
            t.storage.pointer[i] = mean + standardDeviation * Float(generator.nextNormal())
        }
        return t
    }

    /// Samples uniformly from `[lowerBound, upperBound)`.
    public static func randomUniform(
        _ shape: [Int], in range: Range<Float> = 0..<1, generator: inout RandomGenerator
    ) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        let width = range.upperBound - range.lowerBound
        for i in 0..<t.count {
            t.storage.pointer[i] = range.lowerBound + width * generator.nextUniform()
        }
        return t
    }

    /// `0, 1, ..., count - 1` as floats.
    public static func arange(_ count: Int) -> Tensor {
        Tensor((0..<count).map(Float.init))
    }
}
