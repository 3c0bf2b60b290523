import Foundation
import HostCore
import PluginAPI
import PluginKit
import Testing

@Suite struct LoaderTests {
    static let b1 = limitedBattery("B1", cvl: 55.2, ccl: 50, dcl: 100, installedAh: 100)
    static let b2 = limitedBattery("B2", cvl: 54.8, ccl: 60, dcl: 80, installedAh: 200)

    func loadBuilt(_ name: String) throws -> LoadedPluginLibrary {
        try PluginLoader.load(name, searchPath: [LoaderFixtures.pluginBuildFolder()]).get()
    }

    @Test func listsTheBuiltLibraries() throws {
        let combine = try loadBuilt("BMSCombine")
        #expect(combine.name == "BMSCombine")
        #expect(combine.abiMajor == DAB_ABI_MAJOR)
        #expect(combine.strategies.map(\.name) == ["BMSCombine", "BMSAverage"])
        #expect(combine.strategies.map(\.kind) == [.charge, .soc])
        #expect(combine.strategies[0].configKeys.map(\.name) == ["KEEP_MAX_CVL", "CAN_batteries", "CURRENT_LIMIT_POLICY", "CVL_MODE",
                                                                "CVL_MAX_SPREAD", "MAX_CELL_VOLTAGE", "BLOCKING_PACK_STOPS_BANK"])
        #expect(combine.strategies[0].version == "1.0.0")
        let ownSoc = try loadBuilt("OwnSoC")
        #expect(ownSoc.strategies.map(\.name) == ["OwnSoC"])
        #expect(ownSoc.strategies[0].configKeys.count == 5)

        let listing = renderStrategyListing([combine, ownSoc])
        #expect(listing.contains("charge strategy BMSCombine 1.0.0"))
        #expect(listing.contains("SoC strategy OwnSoC 1.0.0"))
        #expect(listing.contains("    CURRENT_LIMIT_POLICY = (empty)  ; "))
        #expect(listing.contains("    MAX_CELL_VOLTAGE_SOC_FULL = 3.45  ; "))
    }

    /// BMSCombine then OwnSoC through the C ABI, the charge result passed on as the SoC input.
    @Test func ticksThroughTheCABI() throws {
        let combine = try loadBuilt("BMSCombine")
        let chargeHost = FakeStrategyHost(config: ["CURRENT_LIMIT_POLICY": "capacity_share"])
        let charge = try combine.strategy(named: "BMSCombine")!.instantiate(services: chargeHost).get()
        var context = makeTick(batteries: [Self.b1, Self.b2],
                               bank: BankSnapshot(current: -20, installedCapacityAh: 300, bmsSocPercent: 50,
                                                  maxCellVoltage: 3.46, minCellVoltage: 3.3))
        let limits = try charge.tickCharge(context).get()
        #expect(limits.chargeVoltageLimit == 54.8)
        #expect(limits.chargeCurrentLimit == 90)
        #expect(limits.dischargeCurrentLimit == 120)
        #expect(limits.bankFull == .notGiven)
        #expect(limits.limitReason.hasPrefix("CVL 54.80 V from B2 (lowest BMS CVL); CCL 90.0 A capacity share (B2)"))

        let socHost = FakeStrategyHost(state: ["charge": "150.000"])
        let soc = try loadBuilt("OwnSoC").strategy(named: "OwnSoC")!.instantiate(services: socHost).get()
        context.charge = limits
        context.timeStepSeconds = 0
        let notFull = try soc.tickSoc(context).get()
        #expect(notFull.capacityAh == 300)        // no hint given: own threshold 3.45 V reached
        #expect(notFull.socPercent == 100)
        #expect(notFull.timeToGoSeconds == 54_000)
        #expect(notFull.strategyState == "counter 300.000 Ah")
        #expect(socHost.state["charge"] == "300.000")

        context.charge = ChargeResult(bankFull: .no, bankEmpty: .yes)
        #expect(try soc.tickSoc(context).get().capacityAh == 0)
        soc.destroy()
        #expect(socHost.stateWrites.last?.text == "0.000")   // saved on destroy
        #expect(soc.tickSoc(context) == .failure(StrategyFailure(
            strategy: "OwnSoC", code: 3, message: "cannot call tick_soc: the instance was destroyed")))
    }

    @Test func strategyErrorsComeBackAsFailures() throws {
        let combine = try loadBuilt("BMSCombine")
        let charge = try combine.strategy(named: "BMSCombine")!.instantiate(services: FakeStrategyHost()).get()
        let lacking = limitedBattery("B7", cvl: nil, ccl: 10, dcl: 10)
        let failure = StrategyFailure(strategy: "BMSCombine", code: Int32(DAB_ERR_INPUT),
                                      message: "battery B7 publishes no /Info/MaxChargeVoltage")
        #expect(charge.tickCharge(makeTick(batteries: [Self.b1, lacking])) == .failure(failure))
        #expect(failure.description == "BMSCombine: input error: battery B7 publishes no /Info/MaxChargeVoltage")
        // The wrong kind of call is refused, not attempted.
        guard case .failure(let wrongKind) = charge.tickSoc(makeTick(batteries: [Self.b1])) else {
            Issue.record("a charge strategy must refuse tick_soc")
            return
        }
        #expect(wrongKind.kind == .internal)
    }

    @Test func configErrorsComeBackThroughTheHostServices() throws {
        let host = FakeStrategyHost(config: ["BATTERY_EFFICIENCY": "abc", "ZERO_SOC": "perhaps"])
        let result = try loadBuilt("OwnSoC").strategies[0].instantiate(services: host)
        guard case .failure(let failure) = result else {
            Issue.record("create must fail")
            return
        }
        #expect(failure.kind == .config)
        #expect(failure.message.hasPrefix("OwnSoC: 2 config errors: BATTERY_EFFICIENCY must be a number"))
        #expect(host.configErrors.map(\.key) == ["BATTERY_EFFICIENCY", "ZERO_SOC"])
    }

    @Test func corruptStateIsReportedThroughTheHostServices() throws {
        let host = FakeStrategyHost(state: ["charge": "garbage"])
        let soc = try loadBuilt("OwnSoC").strategies[0].instantiate(services: host).get()
        #expect(host.corruptStates == [.init(key: "charge", text: "stored charge is not a number: \"garbage\"")])
        #expect(try soc.tickSoc(makeTick(bank: BankSnapshot(installedCapacityAh: 100, bmsSocPercent: 30))).get().capacityAh == 30)
    }

    /// The Swift entry refuses another ABI major with a static message.
    @Test func swiftEntryRefusesAnotherAbiMajor() throws {
        let path = try LoaderFixtures.pluginBuildFolder() + "/libOwnSoC.so"
        let handle = try #require(dlopen(path, RTLD_NOW | RTLD_LOCAL))
        let entry = unsafeBitCast(try #require(dlsym(handle, DAB_ENTRY_SYMBOL)), to: dab_entry_fn.self)
        var refusal: UnsafePointer<CChar>?
        #expect(entry(DAB_ABI_MAJOR + 1, &refusal) == nil)
        #expect(refusal.map { String(cString: $0) } == "OwnSoC is built for plugin ABI major 1 only; rebuild it for this host")
        #expect(entry(DAB_ABI_MAJOR + 1, nil) == nil)   // a NULL refusal pointer is fine
        #expect(entry(DAB_ABI_MAJOR, &refusal) != nil)
    }

    @Test func plainCExampleLoadsAndTicks() throws {
        let directory = try LoaderFixtures.temporaryDirectory()
        defer { LoaderFixtures.remove(directory) }
        _ = try LoaderFixtures.compileLibrary(
            named: "FixedLimits", sourcePath: LoaderFixtures.repositoryRoot + "/Examples/FixedLimits/fixed_limits.c",
            into: directory)
        let library = try PluginLoader.load("FixedLimits", searchPath: ["/nonexistent", directory]).get()
        let strategy = try #require(library.strategy(named: "FixedLimits"))
        #expect(strategy.kind == .charge)
        #expect(strategy.configKeys.map(\.name) == ["FIXED_CVL", "FIXED_CCL", "FIXED_DCL"])

        let host = FakeStrategyHost(config: ["FIXED_CVL": "53.6", "FIXED_DCL": " 150 "])
        let instance = try strategy.instantiate(services: host).get()
        let result = try instance.tickCharge(makeTick(batteries: [Self.b1])).get()
        #expect(result == ChargeResult(chargeVoltageLimit: 53.6, chargeCurrentLimit: 50, dischargeCurrentLimit: 150,
                                       limitReason: "fixed limits from FIXED_CVL/CCL/DCL", strategyState: "fixed"))
        #expect(host.logs == [.init(level: .info, message: "fixed limits: CVL 53.60 V, CCL 50.0 A, DCL 150.0 A")])

        let badHost = FakeStrategyHost(config: ["FIXED_CCL": "lots"])
        guard case .failure(let failure) = strategy.instantiate(services: badHost) else {
            Issue.record("a bad FIXED_CCL must fail create")
            return
        }
        #expect(failure.kind == .config)
        #expect(badHost.configErrors == [.init(key: "FIXED_CCL", text: "must be a number >= 0")])
    }

    @Test func anotherAbiMajorIsRefused() throws {
        let directory = try LoaderFixtures.temporaryDirectory()
        defer { LoaderFixtures.remove(directory) }
        let path = try LoaderFixtures.compileLibrary(
            named: "Future", source: LoaderFixtures.cLibrary(abiMajor: "2", strategies: [LoaderFixtures.goodStrategy("F")]),
            into: directory)
        let error = try #require(PluginLoader.load(path: path).failure)
        #expect(error.path == path)
        #expect(error.reasons == ["built for plugin ABI 2.0, this host speaks 1.0"])
        #expect(error.description == "\(path): built for plugin ABI 2.0, this host speaks 1.0")
    }

    @Test func aFileThatIsNoSharedLibraryIsRefused() throws {
        let directory = try LoaderFixtures.temporaryDirectory()
        defer { LoaderFixtures.remove(directory) }
        let path = directory + "/libJunk.so"
        try "not an ELF file".write(toFile: path, atomically: true, encoding: .utf8)
        let error = try #require(PluginLoader.load(path: path).failure)
        #expect(error.path == path)
        #expect(error.reasons.count == 1)
        #expect(error.reasons[0].hasPrefix("cannot be loaded as a shared library: "))
    }

    @Test func aLibraryWithoutEntryIsRefused() throws {
        let directory = try LoaderFixtures.temporaryDirectory()
        defer { LoaderFixtures.remove(directory) }
        let path = try LoaderFixtures.compileLibrary(named: "Plain", source: "int plain_function(void) { return 1; }\n",
                                                     into: directory)
        #expect(PluginLoader.load(path: path).failure ==
                PluginLoadError(path: path, "has no entry symbol dab_plugin_entry: not a dbus-aggregate-batteries plugin"))
    }

    @Test func aRefusingEntryIsReported() throws {
        let directory = try LoaderFixtures.temporaryDirectory()
        defer { LoaderFixtures.remove(directory) }
        let source = """
            #include <dab_plugin.h>
            const dab_library *dab_plugin_entry(uint32_t major, const char **refusal) {
                (void)major; *refusal = "needs a newer host"; return NULL; }
            """
        let path = try LoaderFixtures.compileLibrary(named: "Refuses", source: source, into: directory)
        #expect(PluginLoader.load(path: path).failure ==
                PluginLoadError(path: path, "refused this host's plugin ABI major 1: needs a newer host"))
    }

    @Test func brokenStrategiesAreRefusedWithEveryReason() throws {
        let directory = try LoaderFixtures.temporaryDirectory()
        defer { LoaderFixtures.remove(directory) }
        let source = LoaderFixtures.cLibrary(strategies: [
            ".struct_size = sizeof(dab_strategy), .kind = DAB_KIND_CHARGE, .name = \"NoFunctions\"",
            ".struct_size = sizeof(dab_strategy), .kind = DAB_KIND_SOC, .name = \"SocWithoutTick\", "
                + ".create = ok_create, .tick_charge = ok_tick, .destroy = ok_destroy",
            ".struct_size = 8, .kind = DAB_KIND_CHARGE, .name = \"Tiny\"",
            ".struct_size = sizeof(dab_strategy), .kind = 7, .name = \"OddKind\", .create = ok_create, .destroy = ok_destroy",
            LoaderFixtures.goodStrategy("Twice"),
            LoaderFixtures.goodStrategy("Twice"),
            ".struct_size = sizeof(dab_strategy), .kind = DAB_KIND_CHARGE, .name = \"Keys\", .config_key_count = 2, "
                + ".create = ok_create, .tick_charge = ok_tick, .destroy = ok_destroy",
        ])
        let path = try LoaderFixtures.compileLibrary(named: "Broken", source: source, into: directory)
        let error = try #require(PluginLoader.load(path: path).failure)
        #expect(error.path == path)
        #expect(error.reasons == [
            "strategy \"NoFunctions\" has no create function",
            "strategy \"NoFunctions\" has no destroy function",
            "strategy \"NoFunctions\" is a charge strategy without tick_charge",
            "strategy \"SocWithoutTick\" is a SoC strategy without tick_soc",
            "strategy 2 descriptor declares 8 bytes, the host reads \(MemoryLayout<dab_strategy>.size)",
            "strategy \"OddKind\" has unknown kind 7 (1 charge, 2 SoC)",
            "strategy name \"Twice\" appears twice",
            "strategy \"Keys\" declares 2 config keys but no usable list",
        ])
    }

    @Test func unknownReturnCodesAndUnterminatedMessagesAreContained() throws {
        let directory = try LoaderFixtures.temporaryDirectory()
        defer { LoaderFixtures.remove(directory) }
        let source = LoaderFixtures.cLibrary(strategies: [LoaderFixtures.goodStrategy("Failing", tick: "failing_tick")])
        let path = try LoaderFixtures.compileLibrary(named: "Failing", source: source, into: directory)
        let instance = try PluginLoader.load(path: path).get().strategies[0].instantiate(services: FakeStrategyHost()).get()
        guard case .failure(let failure) = instance.tickCharge(makeTick()) else {
            Issue.record("tick must fail")
            return
        }
        #expect(failure.kind == .internal)
        #expect(failure.code == 42)
        #expect(failure.message == "unknown return code 42: " + String(repeating: "x", count: 511))
    }

    @Test func loadAllListsGoodAndBadLibraries() throws {
        let directory = try LoaderFixtures.temporaryDirectory()
        defer { LoaderFixtures.remove(directory) }
        _ = try LoaderFixtures.compileLibrary(
            named: "Good", source: LoaderFixtures.cLibrary(strategies: [LoaderFixtures.goodStrategy("GoodOne")]), into: directory)
        try "junk".write(toFile: directory + "/libJunk.so", atomically: true, encoding: .utf8)
        try "ignored".write(toFile: directory + "/notes.txt", atomically: true, encoding: .utf8)
        let (libraries, errors) = PluginLoader.loadAll(searchPath: [directory, directory + "/missing"])
        #expect(libraries.map(\.name) == ["Fixture"])
        #expect(errors.map(\.path) == [directory + "/libJunk.so"])
        let listing = renderStrategyListing(libraries, errors: errors)
        #expect(listing.contains("Fixture (ABI 1.0) \(directory)/libGood.so"))
        #expect(listing.contains("  charge strategy GoodOne 0.1: test"))
        #expect(listing.contains("Not loaded:\n  \(directory)/libJunk.so: cannot be loaded"))

        #expect(findStrategy(named: "GoodOne", kind: .charge, in: libraries).map(\.name) == .success("GoodOne"))
        #expect(findStrategy(named: "GoodOne", kind: .soc, in: libraries).failure?.reasons
                == ["strategy \"GoodOne\" is a charge strategy, a SoC strategy is needed"])
        #expect(findStrategy(named: "Missing", kind: .charge, in: libraries).failure?.reasons
                == ["no loaded library offers a charge strategy of that name (available: GoodOne)"])
    }

    @Test func locateByNameOrPath() throws {
        let folder = try LoaderFixtures.pluginBuildFolder()
        #expect(PluginLoader.locate("OwnSoC", searchPath: ["/nonexistent", folder]) == .success(folder + "/libOwnSoC.so"))
        #expect(PluginLoader.locate(folder + "/libOwnSoC.so", searchPath: []) == .success(folder + "/libOwnSoC.so"))
        #expect(PluginLoader.locate("Nope", searchPath: ["/a", "/b"]).failure == PluginLoadError(path: "Nope", "no libNope.so in /a, /b"))
        #expect(PluginLoader.locate("/no/such/libX.so", searchPath: []).failure == PluginLoadError(path: "/no/such/libX.so", "no such file"))
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
