import Tensors

extension PositionSampling {
    /// PoSE positions (METHODS.md §6) for a window of `L0` tokens and a target window `Lt`.
    ///
    /// The window is split into 2 chunks, resampled per call: the first chunk's length is
    /// uniform in `1 ... (L0 + 1) / 2` (the authors' code, dwzhu-pku/PoSE), the second takes
    /// the rest. Chunk 0 gets positions `0 ..< l1` (`u_0 = 0`), chunk 1 is shifted by `u_1`
    /// uniform in `0 ... Lt - L0`, i.e. positions `l1 + u_1 ..< L0 + u_1`. The last id is at
    /// most `Lt - 1`.
    ///
    /// - Precondition: `2 <= L0 <= Lt`.
    public static func pose(windowLength: Int, targetLength: Int, using generator: inout RandomGenerator) -> [Int32] {
        precondition(
            windowLength >= 2 && windowLength <= targetLength,
            "PositionSampling.pose: need 2 <= windowLength \(windowLength) <= targetLength \(targetLength)")
        let firstLength = generator.uniformInt(in: 1...((windowLength + 1) / 2))
        let shift = generator.uniformInt(in: 0...(targetLength - windowLength))
        return (0..<windowLength).map { positionID($0 < firstLength ? $0 : $0 + shift) }
    }
}
