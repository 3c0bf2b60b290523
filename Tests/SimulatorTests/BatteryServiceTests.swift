import Testing
import Simulator
import VeDbus

/// A 2 x 16 system read by busctl, a client we did not write: types, values and text forms.
@Suite struct BatteryServiceTests {
    @Test func serialBatteryPathsHaveTheRightTypesAndConsistentValues() throws {
        let bench = try SimulatorBench()
        bench.step(seconds: 3)
        for battery in bench.venus.batteries {
            let items = try bench.busctlItems(battery.serviceName)
            let cells = (1...16).compactMap { items["/Voltages/Cell\($0)"] }
            #expect(cells.count == 16)
            #expect(cells.allSatisfy { $0.type == "d" && $0.text.hasSuffix("V") })
            let voltages = cells.compactMap(\.number)
            let sum = try #require(items["/Voltages/Sum"]?.number)
            #expect(abs(sum - voltages.reduce(0, +)) < 0.002)
            let highest = try #require(voltages.max())
            let highestIds = voltages.indices.filter { voltages[$0] == highest }.map { "C\($0 + 1)" }
            #expect(highestIds.contains(try #require(items["/System/MaxVoltageCellId"]?.string)))
            #expect(items["/System/MaxCellVoltage"]?.number == highest)
            #expect(abs((items["/Voltages/Diff"]?.number ?? -1) - (highest - (voltages.min() ?? 0))) < 0.0015)
            #expect(items["/ProductName"]?.string?.contains("SerialBattery") == true)
            #expect(items["/ProductId"]?.number == 0xBA77)
            #expect(items["/Info/MaxChargeVoltage"]?.number == 55.2)  // 16 x 3.45
            #expect(items["/Info/MaxChargeVoltage"]?.text == "55.20V")
            #expect(items["/System/NrOfCellsPerBattery"]?.type == "i")
            #expect(items["/System/NrOfCellsPerBattery"]?.number == 16)
            #expect(items["/System/MinVoltageCellId"]?.type == "s")
            #expect(items["/ConsumedAmphours"].flatMap(\.number).map { $0 < 0 } == true)
            #expect(items["/Info/ChargeMode"]?.string == "Bulk")
            #expect(items["/Connected"]?.number == 1)
            #expect(items["/Alarms/LowCellVoltage"]?.type == "i")
            #expect(items["/Dc/0/Voltage"]?.type == "d")
            #expect(items["/Mgmt/Connection"]?.string == "Serial \(battery.serviceName.split(separator: ".").last!)")
        }
        // Device instances are unique within the battery class.
        let instances = bench.venus.batteries.map(\.identity.deviceInstance)
        #expect(Set(instances).count == instances.count)
    }

    @Test func customNameIsWritableFromTheBus() throws {
        let bench = try SimulatorBench()
        let battery = bench.venus.batteries[0]
        let output = try bench.fixture.tool("busctl", bench.fixture.busctlAddress, "call", battery.serviceName,
                                            "/CustomName", "com.victronenergy.BusItem", "SetValue", "v", "s", "House")
        #expect(output.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "i 0")
        #expect(battery.identity.customName == "House")
        bench.step(seconds: 1)
        #expect(battery.service?["/CustomName"] == .string("House"))
    }
}
