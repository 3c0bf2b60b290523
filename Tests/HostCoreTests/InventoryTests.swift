import Testing
import VeDbus
@testable import HostCore

@Suite("Inventory (reference §2)")
struct InventoryTests {
    @Test func batteriesNeedTheProductNameCaseSensitivelyAndNeverIncludeTheAggregate() throws {
        var view = FakeMonitorView()
        view.addBattery("com.victronenergy.battery.ttyUSB1", name: "B2")
        view.addBattery("com.victronenergy.battery.ttyUSB0", name: "B1")
        view.addBattery("com.victronenergy.battery.aggregate", name: "Agg")
        view.addBattery("com.victronenergy.battery.ttyUSB2", name: "Lower")
        view.set("com.victronenergy.battery.ttyUSB2", "/ProductName", .string("serialbattery"))
        view.addBattery("com.victronenergy.battery.ttyUSB3", name: "NoProduct")
        view.set("com.victronenergy.battery.ttyUSB3", "/ProductName", nil)
        let inventory = Inventory.classify(view, settings: try CoreTestSupport.settings())
        #expect(inventory.batteries.map(\.service) == ["com.victronenergy.battery.ttyUSB0",
                                                       "com.victronenergy.battery.ttyUSB1"])
        #expect(inventory.batteries.map(\.name) == ["B1", "B2"])
    }

    @Test func unreadableNamesBecomeBatteryKAndDuplicatesGetTheRunningCount() throws {
        var view = FakeMonitorView()
        view.addBattery("com.victronenergy.battery.a", name: "B1")
        view.addBattery("com.victronenergy.battery.b", name: "B1")
        view.addBattery("com.victronenergy.battery.c", name: nil)
        view.addBattery("com.victronenergy.battery.d", name: "")
        let names = Inventory.classify(view, settings: try CoreTestSupport.settings()).batteries.map(\.name)
        #expect(names == ["B1", "B12", "Battery3", "Battery4"])
    }

    @Test func aDuplicateThatStillCollidesIsMadeUnique() {
        #expect(BatteryNaming.displayName(published: "B1", position: 2, taken: ["B1", "B12"]) == "B12_2")
    }

    @Test(arguments: [("House Bank #1", "HouseBank1"), ("a-b_c.d", "ab_cd"), ("Ünï", "n"), ("###", "Battery5")])
    func pathSafeNamesKeepOnlyLettersDigitsAndUnderscore(name: String, expected: String) {
        #expect(BatteryNaming.pathSafe(name, position: 5) == expected)
    }

    @Test func numericSerialIsUsedAsName() throws {
        var view = FakeMonitorView()
        view.addBattery("com.victronenergy.battery.a", name: nil)
        view.set("com.victronenergy.battery.a", "/Serial", .int32(4711))
        #expect(Inventory.classify(view, settings: try CoreTestSupport.settings()).batteries.first?.name == "4711")
    }

    @Test func cellCountMismatchMakesOnlyThatBatteryUnusable() throws {
        var view = FakeMonitorView()
        view.addBattery("com.victronenergy.battery.a", name: "A")
        view.addBattery("com.victronenergy.battery.b", name: "B")
        view.set("com.victronenergy.battery.b", "/System/NrOfCellsPerBattery", .int32(15))
        let inventory = Inventory.classify(view, settings: try CoreTestSupport.settings())
        #expect(inventory.batteries[0].problem == nil)
        #expect(inventory.batteries[1].problem?.contains("15 cells") == true)
        #expect(inventory.usableBatteries.map(\.name) == ["A"])
    }

    @Test(arguments: [(false, true), (true, false)])
    func missingCellCountIsAcceptedOnlyWithCanBatteries(can: Bool, expectProblem: Bool) throws {
        var view = FakeMonitorView()
        view.addBattery("com.victronenergy.battery.a", name: "A")
        view.set("com.victronenergy.battery.a", "/System/NrOfCellsPerBattery", .invalid)
        let settings = try CoreTestSupport.settings("CAN_batteries = \(can ? "True" : "False")\n")
        #expect((Inventory.classify(view, settings: settings).batteries[0].problem != nil) == expectProblem)
    }

    private func shuntView() -> FakeMonitorView {
        var view = FakeMonitorView()
        view.set("com.victronenergy.battery.ttyS5", "/ProductName", .string("SmartShunt 500A/50mV"))
        view.set("com.victronenergy.battery.ttyS5", "/DeviceInstance", .int32(278))
        view.set("com.victronenergy.battery.ttyS5", "/CustomName", .string("Main"))
        view.set("com.victronenergy.dcload.ttyS6", "/ProductName", .string("SmartShunt 500A/50mV"))
        view.set("com.victronenergy.dcload.ttyS6", "/DeviceInstance", .int32(279))
        view.set("com.victronenergy.dcload.ttyS6", "/CustomName", .string("FrontShunt"))
        view.set("com.victronenergy.dcload.ttyS7", "/ProductName", .string("SmartShunt 500A/50mV"))
        view.set("com.victronenergy.dcload.ttyS7", "/DeviceInstance", .int32(280))
        view.set("com.victronenergy.dcload.ttyS7", "/CustomName", .string("FrontShunt"))
        view.set("com.victronenergy.dcload.ttyS8", "/ProductName", .string("BMV-712"))
        view.addBattery("com.victronenergy.battery.ttyUSB0", name: "B1")
        return view
    }

    @Test func smartShuntsNoneAndAllSeparatedByMode() throws {
        let view = shuntView()
        let none = Inventory.classify(view, settings: try CoreTestSupport.settings())
        #expect(none.smartShunts == SmartShuntDiscovery.Selection())
        let all = Inventory.classify(view, settings: try CoreTestSupport.settings("USE_SMARTSHUNTS = True\n"))
        #expect(all.smartShunts.batteryMonitors.map(\.service) == ["com.victronenergy.battery.ttyS5"])
        #expect(all.smartShunts.dcMeters.map(\.service) == ["com.victronenergy.dcload.ttyS6", "com.victronenergy.dcload.ttyS7"])
        #expect(all.batteries.map(\.name) == ["B1"])
    }

    @Test func smartShuntsByInstanceAndNameEachEntryMatchingAtMostOne() throws {
        let settings = try CoreTestSupport.settings("USE_SMARTSHUNTS = [278, \"FrontShunt\", 999, \"Nowhere\"]\n")
        let selection = Inventory.classify(shuntView(), settings: settings).smartShunts
        #expect(selection.batteryMonitors.map(\.vrmInstance) == [278])
        #expect(selection.dcMeters.map(\.vrmInstance) == [279])
        #expect(selection.unmatched == [.vrmInstance(999), .name("Nowhere")])
    }

    @Test func twoEntriesForTheSameNameTakeTwoShunts() throws {
        let settings = try CoreTestSupport.settings("USE_SMARTSHUNTS = [\"FrontShunt\", \"FrontShunt\", 279]\n")
        let selection = Inventory.classify(shuntView(), settings: settings).smartShunts
        #expect(selection.dcMeters.map(\.vrmInstance) == [279, 280])
        #expect(selection.unmatched == [.vrmInstance(279)])
    }

    @Test func multiIsTheFirstByNameMpptsAllAndSettingsSystemPresence() throws {
        var view = FakeMonitorView()
        view.set("com.victronenergy.vebus.ttyS4", "/Connected", .int32(1))
        view.set("com.victronenergy.vebus.ttyS3", "/Connected", .int32(1))
        view.set("com.victronenergy.solarcharger.ttyS1", "/Connected", .int32(1))
        view.set("com.victronenergy.solarcharger.ttyS2", "/Connected", .int32(1))
        view.set("com.victronenergy.settings", "/Settings", .int32(0))
        var inventory = Inventory.classify(view, settings: try CoreTestSupport.settings())
        #expect(inventory.multi == "com.victronenergy.vebus.ttyS3")
        #expect(inventory.mppts == ["com.victronenergy.solarcharger.ttyS1", "com.victronenergy.solarcharger.ttyS2"])
        #expect(inventory.settingsPresent)
        #expect(!inventory.systemPresent)
        view.set("com.victronenergy.system", "/SystemState/LowSoc", .int32(1))
        inventory = Inventory.classify(view, settings: try CoreTestSupport.settings("MULTI_KEYWORD =\n"))
        #expect(inventory.multi == nil)
        #expect(inventory.systemPresent)
        #expect(SystemLowSoc.read(from: view) == true)
    }
}
