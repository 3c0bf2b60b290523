import Foundation
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

    /// Separate driver processes: with `DriverPacing`, each battery's burst comes at its own
    /// moment of the second (battery i of 4 at i/4 s), its signals the driver's gap apart, as
    /// dbus-monitor (a client we did not write) sees them arrive; back to back, all at once.
    @Test func pacedBatteriesSendAtTheirOwnMomentWithTheDriversGap() throws {
        var config = SimulationConfig()
        config.batteryCount = 4
        config.measurementNoise = true
        let bench = try SimulatorBench(config: config)
        let watcher = try ExternalTool.startMonitor(
            address: bench.fixture.bus.address,
            rule: "type='signal',interface='com.victronenergy.BusItem',member='PropertiesChanged'", loop: bench.fixture.loop)
        defer { watcher.stop() }
        #expect(bench.fixture.spin(until: {
            watcher.output.contains("NameAcquired") && bench.venus.batteries.allSatisfy(\.isOnBus)
        }, timeout: 10))

        /// Arrival times (dbus-monitor's `time=`, wall clock) of each sender's cell-voltage signals since `since`.
        func arrivals(since: Double) -> [String: [Double]] {
            var bySender: [String: [Double]] = [:]
            for line in watcher.output.split(separator: "\n")
            where line.hasPrefix("signal time=") && line.contains("path=/Voltages/Cell") {
                let fields = line.split(separator: " ")
                guard let time = fields.first(where: { $0.hasPrefix("time=") }).flatMap({ Double($0.dropFirst(5)) }),
                      time >= since, let sender = fields.first(where: { $0.hasPrefix("sender=") }) else { continue }
                bySender[String(sender), default: []].append(time)
            }
            return bySender
        }
        /// Steps once with `pacing` and returns what arrived from each battery.
        func round(_ pacing: DriverPacing) -> [String: [Double]] {
            let since = Date().timeIntervalSince1970
            let counts = bench.venus.batteries.map(\.publishCount)
            bench.venus.step(1, pacing: pacing, on: bench.loop)
            #expect(bench.fixture.spin(until: {
                zip(bench.venus.batteries, counts).allSatisfy { $0.publishCount > $1 } && arrivals(since: since).count == 4
            }, timeout: 5))
            _ = bench.fixture.spin(until: { false }, realSeconds: 0.3)  // the last burst's tail
            return arrivals(since: since)
        }
        // The monitor watches once it has seen a whole round (it becomes a monitor after its NameAcquired).
        bench.venus.step(1)
        #expect(bench.fixture.spin(until: { arrivals(since: 0).count == 4 }, timeout: 10))
        _ = bench.fixture.spin(until: { false }, realSeconds: 0.3)

        let gap = 3000
        let spread = round(DriverPacing(spreadOverSecond: true, messageGapMicroseconds: gap))
        #expect(spread.count == 4, "one sender per battery: \(spread.mapValues(\.count))")
        let starts = spread.values.compactMap(\.first).sorted()
        for (earlier, later) in zip(starts, starts.dropFirst()) {
            #expect(later - earlier > 0.15, "bursts a quarter second apart: \(starts)")
        }
        for (sender, times) in spread {
            let span = (times.last ?? 0) - (times.first ?? 0)
            let least = Double(times.count - 1) * Double(gap) / 1e6 * 0.8
            #expect(times.count >= 4 && span >= least, "\(sender): \(times.count) signals over \(span) s")
        }

        let together = round(.backToBack).values.compactMap(\.first).sorted()
        #expect(together.count == 4 && (together.last ?? 9) - (together.first ?? 0) < 0.1, "\(together)")
    }
}
