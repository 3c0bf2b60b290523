import PluginKit
import Testing
import VeDbus
@testable import HostCore

@Suite("Bank aggregation (reference §3.1, over the batteries online)")
struct AggregationTests {
    let b1 = "com.victronenergy.battery.ttyUSB0"
    let b2 = "com.victronenergy.battery.ttyUSB1"
    let b3 = "com.victronenergy.battery.ttyUSB2"

    private func combine(_ view: FakeMonitorView, now: Double = 1) throws -> BankAggregate {
        let settings = try CoreTestSupport.settings()
        return BankAggregate.combine(CoreTestSupport.readings(view, settings: settings, now: now),
                                     cellsPerBattery: 16, systemLowSoc: false)
    }

    @Test func socIsCapacityWeightedAndSumsAreSums() throws {
        var view = FakeMonitorView()
        view.addBattery(b1, name: "B1", voltage: 53.0, current: 10, soc: 50, installed: 100)
        view.addBattery(b2, name: "B2", voltage: 53.4, current: 20, soc: 80, installed: 200)
        let bank = try combine(view)
        #expect(bank.values.batteriesOnline == 2)
        #expect(abs((bank.values.socPercent ?? 0) - 70) < 1e-9)
        #expect(bank.values.installedCapacityAh == 300)
        #expect(bank.values.capacityAh == 210)
        #expect(bank.values.consumedAh == -90)
        #expect(bank.values.current == 30)
        #expect(abs((bank.values.power ?? 0) - (530 + 1068)) < 1e-9)
        #expect(abs((bank.values.voltage ?? 0) - 53.2) < 1e-9)
        #expect(bank.values.timeToGoSeconds == 3600)
        #expect(bank.values.cellsPerBattery == 16)
        #expect(bank.snapshot.bmsSocPercent == bank.values.socPercent)
        #expect(bank.snapshot.systemLowSoc == false)
    }

    @Test func timeToGoIsWeightedAndNilWhenAnyBatteryHasNone() throws {
        var view = FakeMonitorView()
        view.addBattery(b1, name: "B1", installed: 100, timeToGo: 1000)
        view.addBattery(b2, name: "B2", installed: 300, timeToGo: 2000)
        #expect(try combine(view).values.timeToGoSeconds == 1750)
        view.set(b2, "/TimeToGo", .invalid)
        #expect(try combine(view).values.timeToGoSeconds == nil)
    }

    @Test func voltageMeanAndSumsCountOnlyTheBatteriesOnline() throws {
        var view = FakeMonitorView()
        view.addBattery(b1, name: "B1", voltage: 53.0, current: 10, installed: 100, updatedAt: 100)
        view.addBattery(b2, name: "B2", voltage: 54.0, current: 20, installed: 100, updatedAt: 100)
        view.addBattery(b3, name: "B3", voltage: 40.0, current: 99, installed: 100, updatedAt: 50)
        let bank = try combine(view, now: 101)
        #expect(bank.values.batteriesOnline == 2)
        #expect(bank.values.voltage == 53.5)
        #expect(bank.values.current == 30)
        #expect(bank.values.installedCapacityAh == 200)
    }

    @Test func alarmsTakeTheWorstAndIoTheMinimum() throws {
        var view = FakeMonitorView()
        view.addBattery(b1, name: "B1")
        view.addBattery(b2, name: "B2")
        view.set(b1, "/Alarms/LowSoc", .int32(1))
        view.set(b2, "/Alarms/LowSoc", .int32(2))
        view.set(b2, "/Alarms/CellImbalance", .int32(1))
        view.set(b1, "/Alarms/HighTemperature", .invalid)
        view.set(b2, "/Alarms/HighTemperature", .invalid)
        view.set(b2, "/Io/AllowToCharge", .int32(0))
        view.set(b1, "/Io/AllowToBalance", .invalid)
        let values = try combine(view).values
        #expect(values.alarms[.lowSoc] == 2)
        #expect(values.alarms[.cellImbalance] == 1)
        #expect(values.alarms[.lowVoltage] == 0)
        #expect(values.alarms[.highTemperature] == nil)
        #expect(values.allowToCharge == 0)
        #expect(values.allowToDischarge == 1)
        #expect(values.allowToBalance == 1)
    }

    @Test func extremeCellsCarryBatteryNameAndCellId() throws {
        var view = FakeMonitorView()
        view.addBattery(b1, name: "B1")
        view.addBattery(b2, name: "B2")
        view.set(b1, "/System/MaxCellVoltage", .double(3.4567))
        view.set(b2, "/System/MinCellVoltage", .double(3.2001))
        view.set(b2, "/System/MinVoltageCellId", .string("C12"))
        view.set(b2, "/System/MaxCellTemperature", .double(31))
        view.set(b1, "/System/MinCellTemperature", .double(5))
        view.set(b1, "/System/MinTemperatureCellId", .invalid)
        let values = try combine(view).values
        #expect(values.maxCellVoltage == 3.4567)
        #expect(values.maxVoltageCellId == "B1: C7")
        #expect(values.minCellVoltage == 3.2001)
        #expect(values.minVoltageCellId == "B2: C12")
        #expect(values.voltagesDiff == 0.257)
        #expect(values.maxTemperatureCellId == "B2: T2")
        #expect(values.minCellTemperature == 5)
        #expect(values.minTemperatureCellId == "B1")
        let snapshot = try combine(view).snapshot
        #expect(snapshot.maxCellId == "B1: C7")
        #expect(snapshot.minCellVoltage == 3.2001)
    }

    /// §3.1: the id names the pack by its /CustomName, as the Python program does, whatever
    /// BATTERY_INSTANCE_NAME_PATH names it by elsewhere; a pack without one keeps its display name.
    @Test func extremeCellIdsNameThePackByItsCustomName() throws {
        var view = FakeMonitorView()
        view.addBattery(b1, name: "SER-1")
        view.addBattery(b2, name: "SER-2")
        view.set(b1, "/CustomName", .string("Left rack"))
        view.set(b2, "/CustomName", .string(""))
        view.set(b1, "/System/MaxCellVoltage", .double(3.45))
        view.set(b1, "/System/MinCellTemperature", .double(5))
        view.set(b1, "/System/MinTemperatureCellId", .invalid)
        view.set(b2, "/System/MinCellVoltage", .double(3.2))
        view.set(b2, "/System/MaxCellTemperature", .double(30))
        let values = try combine(view).values
        #expect(values.maxVoltageCellId == "Left rack: C7")
        #expect(values.minTemperatureCellId == "Left rack")
        #expect(values.minVoltageCellId == "SER-2: C3")
        #expect(values.maxTemperatureCellId == "SER-2: T2")
        #expect(try combine(view).snapshot.maxCellId == "Left rack: C7")
    }

    @Test func moduleCountsAreSummedAndVoltagesSumIsTheMean() throws {
        var view = FakeMonitorView()
        view.addBattery(b1, name: "B1")
        view.addBattery(b2, name: "B2")
        view.set(b1, "/System/NrOfModulesBlockingCharge", .int32(1))
        view.set(b2, "/System/NrOfModulesOnline", .int32(3))
        view.set(b1, "/Voltages/Sum", .double(52.0))
        view.set(b2, "/Voltages/Sum", .double(53.0))
        let values = try combine(view).values
        #expect(values.modulesOnline == 4)
        #expect(values.modulesOffline == 0)
        #expect(values.modulesBlockingCharge == 1)
        #expect(values.voltagesSum == 52.5)
    }

    /// §3.1: /Dc/0/Temperature is the mean; /System/NrOfModulesBlockingDischarge the sum.
    @Test func temperatureIsTheMeanAndBlockingDischargeTheSum() throws {
        var view = FakeMonitorView()
        view.addBattery(b1, name: "B1")
        view.addBattery(b2, name: "B2")
        view.set(b1, "/Dc/0/Temperature", .double(18))
        view.set(b2, "/Dc/0/Temperature", .double(25))
        view.set(b1, "/System/NrOfModulesBlockingDischarge", .int32(2))
        view.set(b2, "/System/NrOfModulesBlockingDischarge", .int32(1))
        let values = try combine(view).values
        #expect(values.temperature == 21.5)
        #expect(values.modulesBlockingDischarge == 3)
    }

    @Test func noBatteryOnlineGivesNoValues() throws {
        var view = FakeMonitorView()
        view.addBattery(b1, name: "B1", updatedAt: 0)
        let bank = try combine(view, now: 60)
        #expect(bank.values.batteriesOnline == 0)
        #expect(bank.values.voltage == nil)
        #expect(bank.values.socPercent == nil)
        #expect(bank.values.current == nil)
        #expect(bank.snapshot == BankSnapshot(systemLowSoc: false))
    }

    @Test func substitutedCurrentReachesValuesAndSnapshot() throws {
        var view = FakeMonitorView()
        view.addBattery(b1, name: "B1")
        var bank = try combine(view)
        bank.substituteCurrent(-12.5, power: -662.5)
        #expect(bank.values.current == -12.5)
        #expect(bank.snapshot.current == -12.5)
        #expect(bank.snapshot.power == -662.5)
        let online = BankAggregate.onlineSnapshots(CoreTestSupport.readings(view, settings: try CoreTestSupport.settings()))
        #expect(online.map(\.name) == ["B1"])
    }
}
