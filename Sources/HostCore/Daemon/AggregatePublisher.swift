import PluginKit

/// Everything one tick decided, ready to be published.
public struct TickOutcome {
    public var bank: BankValues
    public var soc: SocResult?
    public var limits: GuardedLimits
    public var status: DegradedPolicy.Status
    /// NR_OF_BATTERIES.
    public var batteriesExpected: Int
    /// The packs the bank is made of: NR_OF_BATTERIES, or more when more joined (never a name
    /// that came and went before it joined).
    public var batteriesCounted: Int
    public var chargeStrategyState: String
    public var socStrategyState: String
}

/// Writes a tick's outcome into the aggregate service's paths. Values that did not change are
/// not sent again: the service's change detection keeps ItemsChanged to what moved.
public struct AggregatePublisher {
    public let service: AggregateService
    private let sendCellVoltages: Bool

    public init(service: AggregateService, settings: HostSettings, selection: StrategySelection) {
        self.service = service
        self.sendCellVoltages = settings.sendCellVoltages
        service.set(.chargeStrategy, text: selection.charge)
        service.set(.socStrategy, text: selection.soc)
        service.set(.batteriesExpected, integer: settings.numberOfBatteries)
    }

    public func write(_ outcome: TickOutcome, readings: [BatteryReading]) {
        let bank = outcome.bank
        let noneOnline = outcome.status == .noBatteryOnline
        service.set(.voltage, number: bank.voltage)
        service.set(.current, number: bank.current)
        service.set(.power, number: bank.power)
        service.set(.temperature, number: bank.temperature)
        service.set(.installedCapacity, number: bank.installedCapacityAh)
        // The SoC strategy's view wins; without one (it failed) nothing is better than a guess.
        service.set(.soc, number: noneOnline ? nil : outcome.soc?.socPercent)
        service.set(.capacity, number: noneOnline ? nil : outcome.soc?.capacityAh)
        service.set(.consumedAmphours, number: noneOnline ? nil : outcome.soc?.consumedAh)
        service.set(.timeToGo, number: noneOnline ? nil : outcome.soc?.timeToGoSeconds)

        service.set(.maxCellTemperature, number: bank.maxCellTemperature)
        service.set(.maxTemperatureCellId, text: bank.maxTemperatureCellId)
        service.set(.minCellTemperature, number: bank.minCellTemperature)
        service.set(.minTemperatureCellId, text: bank.minTemperatureCellId)
        service.set(.maxCellVoltage, number: bank.maxCellVoltage)
        service.set(.maxVoltageCellId, text: bank.maxVoltageCellId)
        service.set(.minCellVoltage, number: bank.minCellVoltage)
        service.set(.minVoltageCellId, text: bank.minVoltageCellId)
        service.set(.cellsPerBattery, integer: bank.cellsPerBattery)
        service.set(.modulesOnline, integer: bank.modulesOnline)
        let notOnline = max(0, outcome.batteriesCounted - bank.batteriesOnline)
        service.set(.modulesOffline, integer: bank.modulesOffline.map { $0 + notOnline } ?? (notOnline > 0 ? notOnline : nil))
        service.set(.modulesBlockingCharge, integer: bank.modulesBlockingCharge)
        service.set(.modulesBlockingDischarge, integer: bank.modulesBlockingDischarge)
        service.set(.voltagesSum, number: bank.voltagesSum)
        service.set(.voltagesDiff, number: bank.voltagesDiff)

        var alarms = bank.alarms
        alarms[.bmsCable] = max(alarms[.bmsCable] ?? 0, outcome.limits.bmsCableAlarm)
        alarms[.internalFailure] = max(alarms[.internalFailure] ?? 0, outcome.limits.internalFailureAlarm)
        for alarm in BatteryAlarm.allCases {
            service.set(Self.path(of: alarm), integer: alarms[alarm])
        }
        service.set(.allowToCharge, integer: bank.allowToCharge)
        service.set(.allowToDischarge, integer: bank.allowToDischarge)
        service.set(.allowToBalance, integer: bank.allowToBalance)

        service.set(.maxChargeVoltage, number: outcome.limits.chargeVoltageLimit)
        service.set(.maxChargeCurrent, number: outcome.limits.chargeCurrentLimit)
        service.set(.maxDischargeCurrent, number: outcome.limits.dischargeCurrentLimit)
        service.set(.limitReason, text: outcome.limits.reason)
        service.set(.chargeStrategyState, text: outcome.chargeStrategyState)
        service.set(.socStrategyState, text: outcome.socStrategyState)
        service.set(.batteriesOnline, integer: bank.batteriesOnline)
        service.set(.batteriesState, text: Self.describe(outcome.status, found: outcome.batteriesCounted,
                                                                 expected: outcome.batteriesExpected))

        if sendCellVoltages {
            for reading in readings {
                for (index, cell) in reading.snapshot.cellVoltages.enumerated() {
                    service.setCell(batteryPathName: reading.identity.pathSafeName, cell: index + 1, voltage: cell)
                }
            }
        }
    }

    static func describe(_ status: DegradedPolicy.Status) -> String {
        switch status {
        case .allOnline: return "ok"
        case .degraded(let seconds): return "degraded: a battery not online for \(Int(seconds)) s"
        case .blocked(let seconds): return "blocked: a battery not online for \(Int(seconds)) s, CCL = DCL = 0"
        case .noBatteryOnline: return "no battery online: CCL = DCL = 0"
        }
    }

    /// The status, plus a count mismatch with NR_OF_BATTERIES when more batteries were found.
    static func describe(_ status: DegradedPolicy.Status, found: Int, expected: Int) -> String {
        let text = describe(status)
        guard found > expected else { return text }
        return text + "; \(found) batteries found, NR_OF_BATTERIES = \(expected)"
    }

    /// The published path of each alarm, indexed by the alarm's raw value (built once).
    private static let alarmPaths: [AggregatePath] = BatteryAlarm.allCases.map { AggregatePath(path: $0.path)! }

    static func path(of alarm: BatteryAlarm) -> AggregatePath {
        alarmPaths[alarm.rawValue]
    }
}
