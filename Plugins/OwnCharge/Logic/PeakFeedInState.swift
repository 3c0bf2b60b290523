import PluginKit

/// A change of the peak (dynamic CVL) or feed-in state worth one log line.
public enum PeakFeedInChange: Equatable, Sendable {
    case dynamicCVLStarted(maxCellVoltage: Double)
    case dynamicCVLEnded(maxCellVoltage: Double)
    case feedInOffRequested(becauseChargeBlocked: Bool)
    case feedInOffReleased

    public var logMessage: String {
        switch self {
        case .dynamicCVLStarted(let voltage):
            return "dynamic CVL reduction started: highest cell at " + FixedDecimal.format(voltage, decimals: 3, rounding: .halfAwayFromZero) + " V"
        case .dynamicCVLEnded(let voltage):
            return "dynamic CVL reduction ended: highest cell at " + FixedDecimal.format(voltage, decimals: 3, rounding: .halfAwayFromZero) + " V"
        case .feedInOffRequested(let blocked):
            return blocked ? "requesting DC-coupled PV feed-in off: a BMS blocks charging"
                           : "requesting DC-coupled PV feed-in off: cell voltage peak"
        case .feedInOffReleased:
            return "releasing the PV feed-in request: cells below the limit and balanced"
        }
    }
}

/// Tracks the cell voltage peak that reduces the CVL, and the request to switch DC-coupled PV
/// feed-in off (the ESS ignores CCL while feed-in is on). The request is released only when the
/// highest cell is below the limit and the cells agree again, so it does not flap at the limit.
public struct PeakFeedInState: Equatable, Sendable {
    /// Highest cell at or above MAX_CELL_VOLTAGE.
    public private(set) var dynamicCVLActive = false
    public private(set) var feedInMustBeOff = false

    public init() {}

    public mutating func update(maxCellVoltage: Double, minCellVoltage: Double, chargeBlocked: Bool,
                                maxCellVoltageLimit: Double, cellDiffMax: Double) -> [PeakFeedInChange] {
        var changes: [PeakFeedInChange] = []
        let peaking = maxCellVoltage >= maxCellVoltageLimit
        if peaking != dynamicCVLActive {
            dynamicCVLActive = peaking
            changes.append(peaking ? .dynamicCVLStarted(maxCellVoltage: maxCellVoltage)
                                   : .dynamicCVLEnded(maxCellVoltage: maxCellVoltage))
        }
        if peaking || chargeBlocked {
            if !feedInMustBeOff {
                feedInMustBeOff = true
                changes.append(.feedInOffRequested(becauseChargeBlocked: !peaking))
            }
        } else if feedInMustBeOff && maxCellVoltage - minCellVoltage < cellDiffMax {
            feedInMustBeOff = false
            changes.append(.feedInOffReleased)
        }
        return changes
    }
}
