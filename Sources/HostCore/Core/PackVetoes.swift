import PluginKit

/// What the packs say about the bank's current limits beyond what the strategies see (they see
/// only the packs online): a pack on the bus but not online whose BMS blocks a direction still
/// blocks it (the Python program would have read its block), and while packs are missing the
/// packs online cannot carry more than their own BMS limits together.
public struct PackVetoes: Equatable, Sendable {
    /// A pack on the bus, not online, that reports blocking charge / discharge; nil: none.
    public var chargeBlockedBy: String?
    public var dischargeBlockedBy: String?
    /// Sum of the online packs' own /Info/MaxChargeCurrent and ...MaxDischargeCurrent, A; nil
    /// when a pack online does not publish its limit (then there is no such bound).
    public var onlineChargeCurrent: Double?
    public var onlineDischargeCurrent: Double?

    public init(chargeBlockedBy: String? = nil, dischargeBlockedBy: String? = nil,
                onlineChargeCurrent: Double? = nil, onlineDischargeCurrent: Double? = nil) {
        self.chargeBlockedBy = chargeBlockedBy
        self.dischargeBlockedBy = dischargeBlockedBy
        self.onlineChargeCurrent = onlineChargeCurrent
        self.onlineDischargeCurrent = onlineDischargeCurrent
    }

    /// From this tick's readings. A count the driver published is needed to block (not only
    /// /Io/AllowTo*, which serialbattery leaves at 0 until its first data).
    public static func of(_ readings: [BatteryReading]) -> PackVetoes {
        var vetoes = PackVetoes(onlineChargeCurrent: 0, onlineDischargeCurrent: 0)
        for index in readings.indices {
            let reading = readings[index]
            if case .gone = reading.health { continue }
            if reading.health.isOnline {
                // A pack online that forbids a direction carries none of it: it adds nothing to the bound.
                let blocksCharge = (reading.snapshot.blockingCharge ?? 0) > 0
                let blocksDischarge = (reading.snapshot.blockingDischarge ?? 0) > 0
                vetoes.onlineChargeCurrent = sum(vetoes.onlineChargeCurrent, blocksCharge ? 0 : reading.snapshot.maxChargeCurrent)
                vetoes.onlineDischargeCurrent = sum(vetoes.onlineDischargeCurrent,
                                                    blocksDischarge ? 0 : reading.snapshot.maxDischargeCurrent)
                continue
            }
            if (reading.reportedBlockingCharge ?? 0) > 0, vetoes.chargeBlockedBy == nil {
                vetoes.chargeBlockedBy = reading.identity.name
            }
            if (reading.reportedBlockingDischarge ?? 0) > 0, vetoes.dischargeBlockedBy == nil {
                vetoes.dischargeBlockedBy = reading.identity.name
            }
        }
        return vetoes
    }

    private static func sum(_ total: Double?, _ amps: Double?) -> Double? {
        guard let total, let amps, amps.isFinite, amps >= 0 else { return nil }
        return total + amps
    }
}
