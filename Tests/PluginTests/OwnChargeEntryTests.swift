import HostCore
import PluginAPI
import PluginKit
import Testing

/// libOwnCharge.so through the C ABI, as the host loads it.
@Suite("OwnCharge library through the C ABI")
struct OwnChargeEntryTests {
    func loadOwnCharge() throws -> LoadedPluginLibrary {
        try PluginLoader.load("OwnCharge", searchPath: [LoaderFixtures.pluginBuildFolder()]).get()
    }

    @Test func declaresOneChargeStrategyWithItsKeys() throws {
        let library = try loadOwnCharge()
        #expect(library.name == "OwnCharge")
        #expect(library.abiMajor == DAB_ABI_MAJOR)
        #expect(library.strategies.map(\.name) == ["OwnCharge"])
        #expect(library.strategies.map(\.kind) == [.charge])
        #expect(library.strategies[0].version == "1.0.0")
        let keys = library.strategies[0].configKeys
        #expect(keys.count == 14)
        #expect(keys.first { $0.name == "CHARGE_VOLTAGE_LIST" }?.defaultValue
                == "3.55, 3.50, 3.50, 3.45, 3.40, 3.40, 3.40, 3.40, 3.45, 3.50, 3.50, 3.55")
        #expect(keys.first { $0.name == "CELL_CHARGE_LIMITING_VOLTAGE" }?.defaultValue == "")
        let listing = renderStrategyListing([library])
        #expect(listing.contains("charge strategy OwnCharge 1.0.0"))
        #expect(listing.contains("    MAX_CELL_VOLTAGE = 3.45  ; "))
    }

    @Test func balancesAndLimitsThroughTheCABI() throws {
        let host = OwnChargeTestHost(config: ownChargeScheduleConfig(repetitionDays: 10), lastBalancing: "2026-11-20")
        let strategy = try loadOwnCharge().strategy(named: "OwnCharge")!.instantiate(services: host).get()
        let cells: [Double?] = [3.56, 3.50, nil, 3.40]
        let battery = BatterySnapshot(name: "B1", voltage: 54.0, voltagesSum: 54.0, minCellVoltage: 3.40,
                                      maxCellVoltage: 3.56, blockingCharge: 0, blockingDischarge: 0, cellVoltages: cells)
        let due = ownChargeContext(date: ownChargeDate(2026, 11, 30), voltage: 54.0, maxCell: 3.56, minCell: 3.40,
                                   batteries: [battery])
        let result = try strategy.tickCharge(due).get()
        // Balancing target 55.20 V, cut by the dynamic CVL: 54.00 - (3.56 - 3.55).
        #expect(ownChargeClose(result.chargeVoltageLimit, 53.99, tolerance: 1e-9))
        #expect(result.chargeCurrentLimit == 0)          // beyond the last table point
        #expect(result.feedInMustBeOff)
        #expect(result.bankFull == .no)
        #expect(result.bankEmpty == .no)
        #expect(result.limitReason.hasPrefix("cell C1 of battery B1 at 3.560 V: dynamic CVL 53.99 V"))
        #expect(result.strategyState.hasPrefix("balancing: charging to 55.20 V, last 2026-11-20 (10 d ago)"))
        #expect(host.infoMessages.contains { $0.hasPrefix("balancing started") })

        // Goal reached, then the excess used up: the date is stored through state_write.
        _ = try strategy.tickCharge(ownChargeContext(date: ownChargeDate(2026, 11, 30), voltage: 55.2, maxCell: 3.46, minCell: 3.45)).get()
        let ended = try strategy.tickCharge(ownChargeContext(date: ownChargeDate(2026, 12, 1), voltage: 53.5)).get()
        #expect(ended.bankFull == .no)
        #expect(host.writes.map(\.value) == ["335\n2026-12-01\n"])
        #expect(host.writes.map(\.key) == ["last_balancing"])
        strategy.destroy()
    }

    @Test func missingInputIsAnInputFailure() throws {
        let host = OwnChargeTestHost(lastBalancing: "2026-11-20")
        let strategy = try loadOwnCharge().strategy(named: "OwnCharge")!.instantiate(services: host).get()
        guard case .failure(let failure) = strategy.tickCharge(ownChargeContext(maxCell: nil)) else {
            Issue.record("the tick must fail")
            return
        }
        #expect(failure.kind == .input)
        #expect(failure.message.contains("highest cell voltage"))
    }

    @Test func configErrorsReachTheHostAndFailCreate() throws {
        let host = OwnChargeTestHost(config: ["NR_OF_CELLS_PER_BATTERY": "16", "CHARGE_VOLTAGE_LIST": "3.5, 3.5",
                                              "CELL_DISCHARGE_LIMITED_CURRENT": "0, 1"])
        guard case .failure(let failure) = try loadOwnCharge().strategies[0].instantiate(services: host) else {
            Issue.record("create must fail")
            return
        }
        #expect(failure.kind == .config)
        #expect(host.configErrorKeys == ["CHARGE_VOLTAGE_LIST", "CELL_DISCHARGE_LIMITED_CURRENT"])
    }

    @Test func oldDayOfYearStateIsConvertedThroughTheHostDate() throws {
        let host = OwnChargeTestHost(config: ownChargeScheduleConfig(repetitionDays: 30),
                                     date: ownChargeDate(2027, 1, 10), lastBalancing: "350.0\n")
        let strategy = try loadOwnCharge().strategies[0].instantiate(services: host).get()
        #expect(host.writes.map(\.value) == ["350\n2026-12-16\n"])
        let result = try strategy.tickCharge(ownChargeContext(date: ownChargeDate(2027, 1, 10))).get()
        #expect(result.strategyState.hasPrefix("balancing: idle, last 2026-12-16 (25 d ago)"))
    }
}
