/// What Victron's DVCC would do with the aggregate's limits: chargers and the Multi keep the bank
/// current within CCL and DCL, and charging tapers to nothing as the bank reaches CVL. The demo
/// feeds the aggregate's published limits back into the simulation with it, so the loop closes.
public struct DvccLimits: Equatable, Sendable {
    /// /Info/MaxChargeVoltage, V; nil = no limit.
    public var chargeVoltageLimitV: Double?
    /// /Info/MaxChargeCurrent, A; nil = no limit.
    public var chargeCurrentLimitA: Double?
    /// /Info/MaxDischargeCurrent, A; nil = no limit.
    public var dischargeCurrentLimitA: Double?
    /// Volts below CVL over which the charge current tapers to 0 (a charger in absorption).
    public static let taperV = 0.2

    public init(chargeVoltageLimitV: Double? = nil, chargeCurrentLimitA: Double? = nil,
                dischargeCurrentLimitA: Double? = nil) {
        self.chargeVoltageLimitV = chargeVoltageLimitV
        self.chargeCurrentLimitA = chargeCurrentLimitA
        self.dischargeCurrentLimitA = dischargeCurrentLimitA
    }

    /// The bank current DVCC allows for a wanted current `amps` at bank voltage `volts`.
    public func allowed(_ amps: Double, bankVoltageV volts: Double) -> Double {
        if amps >= 0 {
            var limit = chargeCurrentLimitA.map { max(0, $0) } ?? amps
            if let cvl = chargeVoltageLimitV {
                let headroom = (cvl - volts) / Self.taperV
                limit = min(limit, amps * max(0, min(1, headroom)))
            }
            return min(amps, limit)
        }
        let limit = dischargeCurrentLimitA.map { max(0, $0) } ?? -amps
        return -min(-amps, limit)
    }
}
