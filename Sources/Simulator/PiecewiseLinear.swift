/// A function given by points and joined by straight lines, clamped to the end values outside
/// them: open-circuit curves and BMS current tapers are tabulated, not modelled.
public struct PiecewiseLinear: Sendable {
    /// (x, y) points with ascending x.
    public let points: [(x: Double, y: Double)]

    public init(_ points: [(Double, Double)]) {
        precondition(!points.isEmpty, "a curve needs at least one point")
        self.points = points.map { (x: $0.0, y: $0.1) }.sorted { $0.x < $1.x }
    }

    public func callAsFunction(_ x: Double) -> Double {
        guard let first = points.first, let last = points.last else { return 0 }
        if x <= first.x { return first.y }
        if x >= last.x { return last.y }
        var lower = first
        for point in points.dropFirst() {
            if x <= point.x {
                let fraction = (x - lower.x) / (point.x - lower.x)
                return lower.y + fraction * (point.y - lower.y)
            }
            lower = point
        }
        return last.y
    }
}
