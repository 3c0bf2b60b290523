// swift-tools-version:6.1
import PackageDescription

/// Swift settings shared by every Swift target: Swift 6 language mode is the package default.
let strictSettings: [SwiftSetting] = []

let package = Package(
    name: "dbus-aggregate-batteries",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dbus-aggregate-batteries", targets: ["Host"]),
        .executable(name: "dab-simulator", targets: ["SimulatorMain"]),
        .executable(name: "tick-benchmark", targets: ["TickBenchmark"]),
        .library(name: "OwnCharge", type: .dynamic, targets: ["OwnCharge"]),
        .library(name: "BMSCombine", type: .dynamic, targets: ["BMSCombine"]),
        .library(name: "OwnSoC", type: .dynamic, targets: ["OwnSoC"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // The tick micro-benchmark only (Benchmarks/TickBenchmark); the daemon does not link it.
        .package(url: "https://github.com/google/swift-benchmark", from: "0.1.2"),
    ],
    targets: [
        // libdbus-1 through pkg-config, with a small C shim for what Swift cannot import.
        .systemLibrary(
            name: "CDBus",
            path: "Sources/CDBus",
            pkgConfig: "dbus-1",
            providers: [.apt(["libdbus-1-dev"])]
        ),
        // Victron-convention D-Bus layer; knows nothing about batteries.
        .target(
            name: "VeDbus",
            dependencies: ["CDBus", .product(name: "Logging", package: "swift-log")],
            path: "Sources/VeDbus"
        ),
        // The plugin ABI: plain C header(s) only.
        .target(name: "PluginAPI", path: "Sources/PluginAPI"),

        // Swift helpers that plugins link statically: C ABI <-> Swift values, host services.
        .target(name: "PluginKit", dependencies: ["PluginAPI"], path: "Plugins/PluginKit"),

        // Strategy plugins: pure logic targets (unit-tested) and thin C ABI entry targets (dylibs).
        .target(name: "OwnChargeLogic", dependencies: ["PluginKit"], path: "Plugins/OwnCharge/Logic"),
        .target(name: "OwnCharge", dependencies: ["OwnChargeLogic", "PluginKit", "PluginAPI"], path: "Plugins/OwnCharge/Entry"),
        .target(name: "BMSCombineLogic", dependencies: ["PluginKit"], path: "Plugins/BMSCombine/Logic"),
        .target(name: "BMSCombine", dependencies: ["BMSCombineLogic", "PluginKit", "PluginAPI"], path: "Plugins/BMSCombine/Entry"),
        .target(name: "OwnSoCLogic", dependencies: ["PluginKit"], path: "Plugins/OwnSoC/Logic"),
        .target(name: "OwnSoC", dependencies: ["OwnSoCLogic", "PluginKit", "PluginAPI"], path: "Plugins/OwnSoC/Entry"),

        // The daemon's core: config, discovery, aggregation, loader, guard, publisher, state.
        .target(
            name: "HostCore",
            dependencies: ["VeDbus", "PluginAPI", "PluginKit", .product(name: "Logging", package: "swift-log")],
            path: "Sources/HostCore"
        ),
        .executableTarget(
            name: "Host",
            dependencies: [
                "HostCore", "Simulator", "PluginKit", "VeDbus",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            path: "Sources/Host"
        ),
        // A simulated Venus OS system (batteries, Multi, MPPTs, shunts, settings, system).
        .target(
            name: "Simulator",
            dependencies: ["VeDbus", .product(name: "Logging", package: "swift-log")],
            path: "Sources/Simulator"
        ),
        .executableTarget(
            name: "SimulatorMain",
            dependencies: ["Simulator", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/SimulatorMain"
        ),

        // The tick micro-benchmark (time and heap allocations per tick): prints figures, never a test.
        .target(name: "MallocCounter", path: "Benchmarks/MallocCounter"),
        .executableTarget(
            name: "TickBenchmark",
            dependencies: [
                "HostCore", "Simulator", "VeDbus", "MallocCounter",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Benchmark", package: "swift-benchmark"),
            ],
            path: "Benchmarks/TickBenchmark"
        ),

        // Helpers for tests that need a real dbus-daemon and independent clients (busctl, dbus-send).
        .target(name: "BusTestSupport", dependencies: ["VeDbus"], path: "Tests/BusTestSupport"),
        .testTarget(name: "VeDbusTests", dependencies: ["VeDbus", "CDBus", "BusTestSupport"], path: "Tests/VeDbusTests"),
        .testTarget(
            name: "PluginTests",
            dependencies: ["PluginAPI", "PluginKit", "OwnChargeLogic", "BMSCombineLogic", "OwnSoCLogic", "HostCore"],
            path: "Tests/PluginTests"
        ),
        .testTarget(name: "HostCoreTests", dependencies: ["HostCore", "BusTestSupport"], path: "Tests/HostCoreTests", exclude: ["Fixtures"]),
        .testTarget(name: "SimulatorTests", dependencies: ["Simulator", "VeDbus", "BusTestSupport"], path: "Tests/SimulatorTests"),
        .testTarget(name: "IntegrationTests", dependencies: ["HostCore", "VeDbus", "Simulator", "BusTestSupport"], path: "Tests/IntegrationTests"),
    ]
)
