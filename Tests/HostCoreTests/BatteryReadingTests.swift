import Testing
import VeDbus
@testable import HostCore

@Suite("Battery reading and health")
struct BatteryReadingTests {
    let service = "com.victronenergy.battery.ttyUSB0"

    private func read(_ view: FakeMonitorView, now: Double = 1,
                      rules: BatteryReadingRules = CoreTestSupport.rules) -> BatteryReading {
        var reading = BatteryReading(identity: BatteryIdentity(service: service, name: "B1", pathSafeName: "B1"),
                                     cellsPerBattery: rules.cellsPerBattery)
        reading.update(from: view, now: now, rules: rules)
        return reading
    }

    @Test func aCompleteBatteryIsOnlineWithEveryValue() {
        var view = FakeMonitorView()
        view.addBattery(service, name: "B1", voltage: 53.1, current: -4, soc: 80, installed: 280)
        view.set(service, "/Voltages/Cell7", .double(3.456))
        view.set(service, "/Alarms/HighCellVoltage", .int32(2))
        let reading = read(view)
        #expect(reading.health == .online)
        #expect(reading.snapshot.voltage == 53.1)
        #expect(reading.snapshot.current == -4)
        #expect(reading.snapshot.socPercent == 80)
        #expect(reading.snapshot.installedCapacityAh == 280)
        #expect(reading.snapshot.timeToGoSeconds == 3600)
        #expect(reading.snapshot.chargeMode == "Bulk")
        #expect(reading.snapshot.cellVoltages.count == 16)
        #expect(reading.snapshot.cellVoltages[6] == 3.456)
        #expect(reading.alarms[.highCellVoltage] == 2)
        #expect(reading.alarms[.lowVoltage] == 0)
        #expect(reading.allowToCharge == 1)
        #expect(reading.maxTemperatureCellId == "T2")
        #expect(reading.modulesOnline == 1)
    }

    @Test func anyNumericTypeIsAcceptedAndAStringIsNotANumber() {
        var view = FakeMonitorView()
        view.addBattery(service, name: "B1")
        view.set(service, "/Dc/0/Voltage", .uint16(52))
        view.set(service, "/Dc/0/Temperature", .string("21"))
        view.set(service, "/Alarms/LowSoc", .double(1))
        view.set(service, "/Alarms/HighVoltage", .int32(3))
        let reading = read(view)
        #expect(reading.snapshot.voltage == 52)
        #expect(reading.snapshot.temperature == nil)
        #expect(reading.alarms[.lowSoc] == 1)
        #expect(reading.alarms[.highVoltage] == nil)
        #expect(reading.health == .online)
    }

    @Test(arguments: ["/Dc/0/Voltage", "/Dc/0/Current", "/Soc", "/InstalledCapacity", "/Voltages/Sum"])
    func aMissingRequiredValueMakesTheBatteryInvalid(path: String) {
        var view = FakeMonitorView()
        view.addBattery(service, name: "B1")
        view.set(service, path, .invalid)
        guard case .invalid(let reason) = read(view).health else {
            Issue.record("expected invalid for \(path)")
            return
        }
        #expect(reason.contains(path))
    }

    @Test func aStringWhereTheVoltageBelongsIsInvalid() {
        var view = FakeMonitorView()
        view.addBattery(service, name: "B1")
        view.set(service, "/Dc/0/Voltage", .string("53.0"))
        #expect(read(view).health == .invalid(reason: "no valid /Dc/0/Voltage"))
    }

    @Test func impossibleSocOrCapacityIsInvalid() {
        var view = FakeMonitorView()
        view.addBattery(service, name: "B1")
        view.set(service, "/Soc", .double(140))
        #expect(!read(view).health.isOnline)
        view.set(service, "/Soc", .double(40))
        view.set(service, "/InstalledCapacity", .double(0))
        #expect(!read(view).health.isOnline)
    }

    @Test func aWrongCellCountIsInvalidWithAReasonAndRecovers() {
        var view = FakeMonitorView()
        view.addBattery(service, name: "B1")
        view.set(service, "/System/NrOfCellsPerBattery", .int32(8))
        #expect(read(view).health == .invalid(reason: "reports 8 cells but NR_OF_CELLS_PER_BATTERY = 16"))
        view.set(service, "/System/NrOfCellsPerBattery", .int32(16))
        #expect(read(view).health == .online)
    }

    @Test(arguments: [(9.9, false), (10.0, true), (25.0, true)])
    func noUpdateForStaleTimeoutIsStale(secondsSilent: Double, stale: Bool) {
        var view = FakeMonitorView()
        view.addBattery(service, name: "B1", updatedAt: 100)
        let health = read(view, now: 100 + secondsSilent).health
        #expect(health == (stale ? .stale(sinceSeconds: secondsSilent) : .online))
    }

    @Test func aServiceNoLongerOnTheBusIsGoneAndKeepsNoValues() {
        var view = FakeMonitorView()
        view.addBattery(service, name: "B1")
        var reading = BatteryReading(identity: BatteryIdentity(service: service, name: "B1", pathSafeName: "B1"),
                                     cellsPerBattery: 16)
        reading.update(from: view, now: 1, rules: CoreTestSupport.rules)
        #expect(reading.health == .online)
        view.remove(service)
        reading.update(from: view, now: 2, rules: CoreTestSupport.rules)
        #expect(reading.health == .gone)
        #expect(reading.snapshot.voltage == nil)
        #expect(reading.snapshot.cellVoltages.isEmpty)
    }

    @Test func canBatteriesEstimateSumAndFillVoltagePowerCapacityConsumed() {
        var view = FakeMonitorView()
        view.addBattery(service, name: "B1", current: 10, soc: 50, installed: 200)
        for path in ["/Voltages/Sum", "/Dc/0/Voltage", "/Dc/0/Power", "/Capacity", "/ConsumedAmphours",
                     "/System/NrOfCellsPerBattery"] {
            view.set(service, path, .invalid)
        }
        view.set(service, "/System/MinCellVoltage", .double(3.2))
        view.set(service, "/System/MaxCellVoltage", .double(3.4))
        let can = BatteryReadingRules(cellsPerBattery: 16, canBatteries: true, staleTimeoutSeconds: 10)
        let reading = read(view, rules: can)
        #expect(reading.health == .online)
        #expect(abs((reading.snapshot.voltagesSum ?? 0) - 52.8) < 1e-9)
        #expect(reading.voltagesSumEstimated)
        #expect(reading.snapshot.voltage == reading.snapshot.voltagesSum)
        #expect(abs((reading.snapshot.power ?? 0) - 528) < 1e-9)
        #expect(reading.snapshot.capacityAh == 100)
        #expect(reading.snapshot.consumedAh == 0)
        // Without CAN the same battery is invalid.
        #expect(!read(view).health.isOnline)
    }

    /// A battery whose values did not change (same generation) is not read again, only aged:
    /// the tick's cost then grows with the batteries that spoke, not with all of them.
    @Test func unchangedValuesAreNotReadAgainButStillAge() {
        var view = FakeMonitorView()
        view.addBattery(service, name: "B1", voltage: 53.0)
        view.generations[service] = 1
        let rules = CoreTestSupport.rules
        var reading = BatteryReading(identity: BatteryIdentity(service: service, name: "B1", pathSafeName: "B1"),
                                     cellsPerBattery: rules.cellsPerBattery)
        reading.update(from: view, now: 1, rules: rules)
        #expect(reading.snapshot.voltage == 53.0)

        // The cache changed but claims the same generation: the reading is not redone.
        view.set(service, "/Dc/0/Voltage", .double(54.0))
        reading.update(from: view, now: 2, rules: rules)
        #expect(reading.snapshot.voltage == 53.0)
        #expect(reading.health == .online)

        // A new generation is read; silence past the time-out still makes it stale.
        view.generations[service] = 2
        reading.update(from: view, now: 3, rules: rules)
        #expect(reading.snapshot.voltage == 54.0)
        reading.update(from: view, now: rules.staleTimeoutSeconds, rules: rules)
        #expect(reading.health == .stale(sinceSeconds: rules.staleTimeoutSeconds))

        // A value that makes it invalid stays invalid while nothing changes.
        view.set(service, "/Soc", .double(140))
        view.updates[service] = 20
        view.generations[service] = 3
        reading.update(from: view, now: 21, rules: rules)
        reading.update(from: view, now: 22, rules: rules)
        #expect(reading.health == .invalid(reason: "/Soc 140.0 outside 0...100 %"))
    }

    @Test func theCellArrayKeepsItsStorageAcrossTicks() {
        var view = FakeMonitorView()
        view.addBattery(service, name: "B1")
        var reading = BatteryReading(identity: BatteryIdentity(service: service, name: "B1", pathSafeName: "B1"),
                                     cellsPerBattery: 16)
        reading.update(from: view, now: 1, rules: CoreTestSupport.rules)
        let capacity = reading.snapshot.cellVoltages.capacity
        view.set(service, "/Voltages/Cell2", .invalid)
        reading.update(from: view, now: 2, rules: CoreTestSupport.rules)
        #expect(reading.snapshot.cellVoltages.capacity == capacity)
        #expect(reading.snapshot.cellVoltages[1] == nil)
        #expect(reading.snapshot.cellVoltages[0] == 3.3)
    }
}
