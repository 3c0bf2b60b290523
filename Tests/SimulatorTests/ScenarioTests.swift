import Testing
import Simulator
import VeDbus

/// Each scenario, stepped by hand in simulated seconds, does to the bus what its name says.
@Suite struct ScenarioTests {
    @Test func chargeToFullMakesThePeakingCellCrossFirst() throws {
        let bench = try SimulatorBench(scenario: .chargeToFullWithPeakingCell)
        let batteries = bench.venus.batteries
        // Judged on what the batteries publish (3 decimals), as the aggregator would see it.
        let crossed = bench.step(until: {
            batteries.contains { ($0.service?["/System/MaxCellVoltage"]?.number ?? 0) > 3.45 }
        }, limit: 7200)
        #expect(crossed)
        let peaking = batteries[0].model.cellVoltages
        #expect(peaking[Scenario.peakingCellIndex] > 3.45)
        for (index, voltage) in peaking.enumerated() where index != Scenario.peakingCellIndex {
            #expect(voltage < 3.40, "cell \(index + 1) at \(voltage) V")
        }
        #expect(batteries[1].model.cellVoltages.allSatisfy { $0 < 3.40 })
        // What the bus shows: the max cell id names the peaking cell.
        let items = try bench.busctlItems(batteries[0].serviceName)
        #expect(items["/System/MaxVoltageCellId"]?.string == "C\(Scenario.peakingCellIndex + 1)")
        #expect((items["/System/MaxCellVoltage"]?.number ?? 0) > 3.45)
        #expect(items["/Info/ChargeMode"]?.string == "Absorption")
        // The BMS tapers its CCL as the cell climbs.
        #expect((items["/Info/MaxChargeCurrent"]?.number ?? 100) < 100)
    }

    @Test func dischargeToEmptyDrivesTheMinimumCellBelowTheLimit() throws {
        let bench = try SimulatorBench(scenario: .dischargeToEmpty)
        let battery = bench.venus.batteries[0]
        #expect(bench.step(until: { (battery.model.cellVoltages.min() ?? 9) < 2.9 }, limit: 7200))
        #expect(bench.step(until: { battery.model.blocksDischarge }, limit: 3600))
        bench.step(seconds: 1)
        #expect(battery.service?["/Info/MaxDischargeCurrent"] == .double(0))
        #expect(battery.service?["/Io/AllowToDischarge"] == .int32(0))
        #expect(battery.service?["/System/NrOfModulesBlockingDischarge"] == .int32(1))
        #expect(battery.service?["/Alarms/LowCellVoltage"] == .int32(2))
        #expect(bench.venus.bankCurrentA == 0)
    }

    @Test func blockedChargeMovesTheCurrentToTheOtherBattery() throws {
        let bench = try SimulatorBench(scenario: .bmsBlocksCharge)
        let (first, second) = (bench.venus.batteries[0], bench.venus.batteries[1])
        bench.step(seconds: Int(Scenario.faultStart) + 1)
        #expect(first.service?["/System/NrOfModulesBlockingCharge"] == .int32(1))
        #expect(first.service?["/Io/AllowToCharge"] == .int32(0))
        #expect(first.service?["/Info/MaxChargeCurrent"] == .double(0))
        #expect(first.service?["/Dc/0/Current"] == .double(0))
        #expect(second.service?["/Dc/0/Current"] == .double(60))
        let victron = (bench.venus.multi?.dcCurrentA ?? 0) + bench.venus.solarChargers.map(\.dcCurrentA).reduce(0, +)
        #expect(abs(victron - 60) < 1e-9)
        bench.step(seconds: Int(Scenario.blockEnd - Scenario.faultStart))
        #expect(first.service?["/System/NrOfModulesBlockingCharge"] == .int32(0))
        #expect(first.service?["/Dc/0/Current"] == .double(30))
    }

    @Test func vanishedBatteryLeavesListNamesAndReturns() throws {
        let bench = try SimulatorBench(scenario: .batteryVanishesAndReturns)
        let battery = try #require(bench.venus.batteries.last)
        let quoted = "\"\(battery.serviceName)\""
        #expect(try bench.listNames().contains(quoted))
        let firstOwner = battery.service?.connection.uniqueName
        bench.step(seconds: Int(Scenario.faultStart) + 1)
        #expect(!battery.isOnBus)
        #expect(!(try bench.listNames().contains(quoted)))
        bench.step(seconds: Int(Scenario.vanishEnd - Scenario.faultStart))
        #expect(battery.isOnBus)
        #expect(try bench.listNames().contains(quoted))
        #expect(battery.service?.connection.uniqueName != firstOwner)
        #expect(bench.venus.eventErrors.isEmpty)
        // A monitor that arrives now finds it complete.
        let monitor = try bench.readyMonitor()
        #expect(monitor.value(battery.serviceName, "/DeviceInstance") == .int32(battery.identity.deviceInstance))
    }

    /// A hung driver: it publishes nothing and answers no call while its name stays on the bus;
    /// when it recovers, the calls queued meanwhile are answered and it publishes again.
    @Test func frozenBatteryStopsPublishingAndAnswering() throws {
        let bench = try SimulatorBench(scenario: .batteryFreezes)
        let monitor = try bench.readyMonitor()
        let (first, frozen) = (bench.venus.batteries[0], bench.venus.batteries[1])
        bench.step(seconds: Int(Scenario.faultStart))
        #expect(frozen.isFrozen)
        // What it sent before it hung may still be on its way through the bus daemon (it sends
        // one message per path): a round trip to another service lets it arrive first.
        #expect(bench.flush(monitor, through: first.serviceName))
        var changed: [String: Int] = [:]
        monitor.onValuesChanged = { service, _ in changed[service, default: 0] += 1 }
        let staleCurrent = monitor.value(frozen.serviceName, "/Dc/0/Current")
        let countBefore = frozen.publishCount

        bench.venus.profile = .constant(batteryA: 80, solarA: 0)
        bench.step(seconds: 5)
        #expect(bench.flush(monitor, through: first.serviceName))
        var answered = false
        monitor.getValue(frozen.serviceName, "/DeviceInstance") { _ in answered = true }
        #expect(!bench.fixture.spin(until: { answered }, timeout: 0.5), "a hung driver answered a call")
        #expect(bench.venus.serviceNames.contains(frozen.serviceName), "its name stays on the bus")
        #expect(changed[frozen.serviceName] == nil)
        #expect((changed[first.serviceName] ?? 0) > 0)
        #expect(frozen.publishCount == countBefore)
        #expect(monitor.value(frozen.serviceName, "/Dc/0/Current") == staleCurrent)
        #expect(frozen.model.currentA == 40)  // the battery itself goes on

        bench.step(seconds: Int(Scenario.freezeEnd) - Int(bench.venus.time) + 1)
        #expect(bench.fixture.spin(until: { answered }), "the queued call was not answered after recovery")
        #expect(bench.fixture.spin(until: { monitor.value(frozen.serviceName, "/Dc/0/Current") == .double(40) }))
    }

    /// dbus-serialbattery's behaviour when it loses its BMS: still on the bus and answering, the
    /// battery offline and V/I/P invalid after 10 s, BmsCable 1 after 60 s; back when it reads again.
    @Test func bmsLinkLossIsReportedByTheDriverAsSerialbatteryDoes() throws {
        let bench = try SimulatorBench(scenario: .bmsLinkLost)
        let monitor = try bench.readyMonitor()
        let battery = bench.venus.batteries[0]
        let name = battery.serviceName
        func value(_ path: String) -> DBusValue? { monitor.value(name, path) }
        bench.step(seconds: Int(Scenario.faultStart) + 5)
        #expect(bench.flush(monitor, through: name))
        #expect(value("/Dc/0/Voltage")?.number != nil, "still the last values before 10 s")
        #expect(value("/System/NrOfModulesOffline") == .int32(0))
        bench.step(seconds: 6)
        #expect(bench.flush(monitor, through: name))
        #expect(value("/Dc/0/Voltage")?.isInvalid == true)
        #expect(value("/Dc/0/Current")?.isInvalid == true)
        #expect(value("/System/NrOfModulesOnline") == .int32(0))
        #expect(value("/System/NrOfModulesOffline") == .int32(1))
        #expect(value("/Alarms/BmsCable") == .int32(0))
        #expect(value("/Voltages/Cell1")?.number != nil, "cells keep what was last read")
        bench.step(seconds: 50)
        #expect(bench.flush(monitor, through: name))
        #expect(value("/Alarms/BmsCable") == .int32(1))
        bench.step(seconds: Int(Scenario.linkLostEnd) - Int(bench.venus.time) + 1)
        #expect(bench.flush(monitor, through: name))
        #expect(value("/Dc/0/Voltage")?.number != nil)
        #expect(value("/System/NrOfModulesOffline") == .int32(0))
    }

    /// A USB re-enumeration: the service leaves and comes back under another name with the
    /// same serial, custom name and device instance.
    @Test func reenumeratedBatteryReturnsUnderAnotherNameWithItsIdentity() throws {
        let bench = try SimulatorBench(scenario: .batteryReenumerates)
        let monitor = try bench.readyMonitor()
        let battery = bench.venus.batteries[1]
        let oldName = battery.serviceName
        let serial = monitor.value(oldName, "/Serial")
        bench.step(seconds: Int(Scenario.faultStart) + 1)
        #expect(bench.fixture.spin(until: { monitor.value(oldName, "/Serial") == nil }))
        bench.step(seconds: Int(Scenario.reenumerateReturn) - Int(bench.venus.time) + 1)
        #expect(battery.serviceName == "com.victronenergy.battery.ttyUSB3")
        #expect(bench.fixture.spin(until: { monitor.value(battery.serviceName, "/Serial") != nil }))
        #expect(monitor.value(battery.serviceName, "/Serial") == serial)
        #expect(monitor.value(battery.serviceName, "/DeviceInstance") == .int32(battery.identity.deviceInstance))
    }

    /// At rest without noise a driver sends nothing at all: not one signal in a minute.
    @Test func restingBankSendsNothing() throws {
        let bench = try SimulatorBench(scenario: .resting)
        _ = try bench.readyMonitor()
        bench.step(seconds: 2)
        let before = bench.venus.batteries.map(\.publishCount)
        bench.step(seconds: 60)
        #expect(bench.venus.batteries.map(\.publishCount) == before)
    }

    @Test func invalidValuesArePublishedAsInvalidAndWrongTypes() throws {
        let bench = try SimulatorBench(scenario: .invalidValues)
        let monitor = try bench.readyMonitor()
        let battery = bench.venus.batteries[0]
        let name = battery.serviceName
        bench.step(seconds: Int(Scenario.faultStart) + 1)
        #expect(bench.flush(monitor, through: name))
        for path in Scenario.invalidatedPaths {
            #expect(monitor.value(name, path)?.isInvalid == true, "\(path)")
        }
        #expect(monitor.value(name, Scenario.wrongTypePath)?.string != nil)
        #expect(monitor.value(name, "/System/MaxCellVoltage")?.number != nil)
        let items = try bench.busctlItems(name)
        #expect(items["/Soc"]?.text == "---")
        #expect(items[Scenario.wrongTypePath]?.type == "s")

        bench.step(seconds: Int(Scenario.invalidEnd - Scenario.faultStart))
        #expect(bench.flush(monitor, through: name))
        for path in Scenario.invalidatedPaths {
            #expect(monitor.value(name, path)?.number != nil, "\(path)")
        }
        #expect(monitor.value(name, Scenario.wrongTypePath)?.number != nil)
    }
}

/// The demo's default stays near mid SoC for an hour of simulated time.
@Suite struct SteadyScenarioTests {
    @Test func steadyKeepsTheBankNearMidSoc() throws {
        let bench = try SimulatorBench(scenario: .steady)
        let start = bench.venus.bankSocPercent
        var lowest = start, highest = start
        for _ in 0..<3600 {
            bench.venus.advance(1)
            lowest = min(lowest, bench.venus.bankSocPercent)
            highest = max(highest, bench.venus.bankSocPercent)
        }
        bench.venus.publish()
        #expect(highest - lowest > 0.1)      // it does move
        #expect(lowest > 45 && highest < 65)
        #expect(bench.venus.batteries.allSatisfy { !$0.model.blocksCharge && !$0.model.blocksDischarge })
    }
}
