import Testing
import Simulator
import VeDbus
import BusTestSupport

/// A VeMonitor on its own connection discovers every simulated service and follows its updates.
@Suite struct MonitorTests {
    @Test func monitorSeesEveryServiceAndTheirUpdates() throws {
        var config = SimulationConfig()
        config.mpptCount = 2
        config.shunts = [.batteryMonitor(), .dcMeter(loadCurrentA: 5)]
        let bench = try SimulatorBench(config: config)
        let monitor = try bench.readyMonitor()
        let names = Set(monitor.readyServices(withPrefix: "com.victronenergy."))
        let expected: Set<String> = [
            "com.victronenergy.battery.ttyUSB0", "com.victronenergy.battery.ttyUSB1",
            "com.victronenergy.battery.ttyS5", "com.victronenergy.dcload.ttyS6",
            "com.victronenergy.vebus.ttyS3", "com.victronenergy.solarcharger.ttyS0",
            "com.victronenergy.solarcharger.ttyS1", "com.victronenergy.settings", "com.victronenergy.system",
        ]
        #expect(names == expected)
        #expect(monitor.value("com.victronenergy.battery.ttyS5", "/ProductName") == .string("SmartShunt 500A/50mV"))
        #expect(monitor.value("com.victronenergy.battery.ttyS5", "/DeviceInstance") == .int32(277))
        #expect(monitor.value("com.victronenergy.settings", "/Settings/CGwacs/OvervoltageFeedIn") == .int32(1))
        #expect(monitor.value("com.victronenergy.system", "/SystemState/LowSoc") == .int32(0))

        // 40 A into the bank, 10 A of sun, a 5 A DC load: the Multi carries 35 A.
        bench.venus.profile = .constant(batteryA: 40, solarA: 10)
        bench.step(seconds: 1)
        let updated = bench.fixture.spin(until: {
            monitor.value("com.victronenergy.vebus.ttyS3", "/Dc/0/Current") == .double(35)
                && monitor.value("com.victronenergy.system", "/Dc/Battery/Current") == .double(40)
                && monitor.value("com.victronenergy.battery.ttyUSB1", "/Dc/0/Current") == .double(20)
        })
        #expect(updated)
        // Signals from different connections may arrive in any order: wait for each service's.
        for name in expected { #expect(bench.flush(monitor, through: name)) }
        #expect(monitor.value("com.victronenergy.battery.ttyUSB0", "/Dc/0/Current") == .double(20))
        #expect(monitor.value("com.victronenergy.solarcharger.ttyS0", "/Dc/0/Current") == .double(5))
        #expect(monitor.value("com.victronenergy.solarcharger.ttyS1", "/Dc/0/Current") == .double(5))
        #expect(monitor.value("com.victronenergy.battery.ttyS5", "/Dc/0/Current") == .double(40))
        #expect(monitor.value("com.victronenergy.dcload.ttyS6", "/Dc/0/Current") == .double(5))

        // CURRENT_FROM_VICTRON: Multi + MPPTs − DC-meter shunts = the batteries' current.
        let victron = [monitor.value("com.victronenergy.vebus.ttyS3", "/Dc/0/Current"),
                       monitor.value("com.victronenergy.solarcharger.ttyS0", "/Dc/0/Current"),
                       monitor.value("com.victronenergy.solarcharger.ttyS1", "/Dc/0/Current")]
            .compactMap { $0?.number }.reduce(0, +)
        let dcLoad = monitor.value("com.victronenergy.dcload.ttyS6", "/Dc/0/Current")?.number ?? .nan
        let batteries = bench.venus.batteries.compactMap { monitor.value($0.serviceName, "/Dc/0/Current")?.number }
        #expect(abs(victron - dcLoad - batteries.reduce(0, +)) < 1e-9)
    }

    @Test func oneItemsChangedPerDevicePerStep() throws {
        var config = SimulationConfig()
        config.batteryPublishMode = .itemsChanged
        let bench = try SimulatorBench(config: config)
        let before = bench.venus.devices.map(\.publishCount)
        bench.venus.profile = .constant(batteryA: 12, solarA: 3)
        bench.venus.step(1)
        let after = bench.venus.devices.map(\.publishCount)
        for (index, device) in bench.venus.devices.enumerated() where device !== bench.venus.system {
            #expect(after[index] - before[index] == 1, "\(device.serviceName)")
        }
    }

    /// serialbattery's shape: one PropertiesChanged per changed path on that path, no
    /// ItemsChanged, counted by an observer we did not write (dbus-monitor).
    @Test func batteriesSendOnePropertiesChangedPerChangedPath() throws {
        let bench = try SimulatorBench()
        let battery = bench.venus.batteries[0]
        let watcher = try ExternalTool.startMonitor(
            address: bench.fixture.bus.address,
            rule: "type='signal',interface='com.victronenergy.BusItem'", loop: bench.fixture.loop)
        defer { watcher.stop() }
        #expect(bench.fixture.spin(until: { watcher.output.contains("NameAcquired") }, timeout: 10))
        bench.venus.profile = .constant(batteryA: 12, solarA: 3)
        bench.venus.step(1)
        let last = try #require(battery.lastPublished)
        #expect(bench.fixture.spin(until: { watcher.output.contains("path=\(last.path);") }, timeout: 5))
        let lines = watcher.output.split(separator: "\n").map(String.init).filter { $0.hasPrefix("signal") }
        let fromBattery = lines.filter { line in
            line.contains("member=PropertiesChanged") && line.contains("path=/Voltages/Cell")
        }
        #expect(fromBattery.count >= 16, "cells, each its own signal: \(fromBattery.count)")
        // ItemsChanged only from the devices that are not batteries (Multi, MPPT, system).
        let itemsChanged = lines.filter { $0.contains("member=ItemsChanged") }.count
        #expect(itemsChanged <= bench.venus.devices.count - bench.venus.batteries.count, "\(itemsChanged)")
    }
}
