// swift-tools-version:6.1
import PackageDescription
#if canImport(Glibc)
import Glibc
#endif

/// The daemon and the strategy plugins are Embedded Swift: they need no Swift runtime, only libc
/// and libm (the daemon speaks D-Bus itself), so they stay small in memory, and a plugin does not
/// depend on the host's Swift version (the C ABI is the only contract). The same files are also
/// built as ordinary Swift (Sources/Embedded and Plugins/Embedded hold symlinks) for the tests,
/// the simulator and the demo. `-module-alias` keeps their `import` lines the same in both.
/// The plugins are optimized for size (a plugin's tick is small); the daemon's modules for speed
/// (`daemon: true`): with -Osize the tick's loops and the message decoder call array accessors
/// instead of inlining them, about 20 % more instructions a second for 0.3 MiB less code.
/// Every function gets its own section, so that the linker can lay the hot ones out together
/// (`scripts/release-build`).
func embeddedSettings(aliases: [String], daemon: Bool = false) -> [SwiftSetting] {
    let aliasFlags = aliases.flatMap { ["-module-alias", "\($0)=Embedded\($0)"] }
    return [.enableExperimentalFeature("Embedded"),
            .unsafeFlags(["-wmo", daemon ? "-O" : "-Osize", "-Xcc", "-fPIC", "-Xfrontend", "-function-sections"]
                         + aliasFlags)]
}

/// Embedded Swift's String needs the toolchain's Unicode tables, which the driver does not link.
let embeddedLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(["-L", embeddedLibraryFolder(), "-lswiftUnicodeDataTables"]),
    .linkedLibrary("m"),
]

/// `<toolchain>/usr/lib/swift/embedded/<triple>` of the toolchain evaluating this manifest.
func embeddedLibraryFolder() -> String {
    #if arch(x86_64)
    let triple = "x86_64-unknown-linux-gnu"
    #else
    let triple = "aarch64-unknown-linux-gnu"
    #endif
    let lib = toolchainLibraryFolder()
    return lib.isEmpty ? "" : lib + "/swift/embedded/" + triple
}

/// `<toolchain>/usr/lib` of the toolchain evaluating this manifest, found from where its
/// PackageDescription library is mapped (…/lib/swift/pm/ManifestAPI/…); "" when not found.
func toolchainLibraryFolder() -> String {
    #if canImport(Glibc)
    guard let maps = fopen("/proc/self/maps", "r") else { return "" }
    defer { fclose(maps) }
    var line = [CChar](repeating: 0, count: 4096)
    while fgets(&line, Int32(line.count), maps) != nil {
        let text = String(decoding: line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        guard let slash = text.firstIndex(of: "/") else { continue }
        let parts = text[slash...].split(separator: "/", omittingEmptySubsequences: false)
        guard let pm = parts.firstIndex(of: "pm"), pm >= 2, parts[pm - 1] == "swift", parts[pm - 2] == "lib" else {
            continue
        }
        return parts[..<(pm - 1)].joined(separator: "/")
    }
    #endif
    return ""
}

/// Swift settings shared by every Swift target: Swift 6 language mode is the package default.
let strictSettings: [SwiftSetting] = []

let package = Package(
    name: "dbus-aggregate-batteries",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dbus-aggregate-batteries", targets: ["Host"]),
        .executable(name: "dab-simulator", targets: ["SimulatorMain"]),
        .executable(name: "dab-demo", targets: ["Demo"]),
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
        // libc as the daemon's modules see it in both builds (Embedded Swift has no Glibc overlay).
        .target(name: "CSystem", path: "Sources/CSystem"),
        // Victron-convention D-Bus layer; knows nothing about batteries.
        .target(name: "VeDbus", dependencies: ["CSystem"], path: "Sources/VeDbus"),
        .target(name: "EmbeddedVeDbus", dependencies: ["CSystem"], path: "Sources/Embedded/VeDbus",
                swiftSettings: embeddedSettings(aliases: [], daemon: true)),
        // A private dbus-daemon and child processes, for the demo, tests and benchmarks.
        .target(name: "BusTools", dependencies: ["VeDbus"], path: "Sources/BusTools"),
        // The plugin ABI: plain C header(s) only.
        .target(name: "PluginAPI", path: "Sources/PluginAPI"),

        // The libc functions PluginKit needs (Embedded Swift has no Glibc module or number parser).
        .target(name: "PluginLibc", path: "Plugins/PluginLibc"),
        // Swift helpers that plugins link statically: C ABI <-> Swift values, host services.
        .target(name: "PluginKit", dependencies: ["PluginAPI", "PluginLibc"], path: "Plugins/PluginKit"),

        // Strategy plugins: pure logic targets (unit-tested, ordinary Swift) ...
        .target(name: "OwnChargeLogic", dependencies: ["PluginKit"], path: "Plugins/OwnCharge/Logic"),
        .target(name: "BMSCombineLogic", dependencies: ["PluginKit"], path: "Plugins/BMSCombine/Logic"),
        .target(name: "OwnSoCLogic", dependencies: ["PluginKit"], path: "Plugins/OwnSoC/Logic"),
        // ... the same files built as Embedded Swift, and the thin C ABI entry targets (dylibs).
        .target(name: "EmbeddedPluginKit", dependencies: ["PluginAPI", "PluginLibc"], path: "Plugins/Embedded/PluginKit",
                swiftSettings: embeddedSettings(aliases: [])),
        .target(name: "EmbeddedOwnChargeLogic", dependencies: ["EmbeddedPluginKit"], path: "Plugins/Embedded/OwnChargeLogic",
                swiftSettings: embeddedSettings(aliases: ["PluginKit"])),
        .target(name: "EmbeddedBMSCombineLogic", dependencies: ["EmbeddedPluginKit"], path: "Plugins/Embedded/BMSCombineLogic",
                swiftSettings: embeddedSettings(aliases: ["PluginKit"])),
        .target(name: "EmbeddedOwnSoCLogic", dependencies: ["EmbeddedPluginKit"], path: "Plugins/Embedded/OwnSoCLogic",
                swiftSettings: embeddedSettings(aliases: ["PluginKit"])),
        .target(name: "OwnCharge", dependencies: ["EmbeddedOwnChargeLogic", "EmbeddedPluginKit", "PluginAPI"],
                path: "Plugins/OwnCharge/Entry", swiftSettings: embeddedSettings(aliases: ["PluginKit", "OwnChargeLogic"]),
                linkerSettings: embeddedLinkerSettings),
        .target(name: "BMSCombine", dependencies: ["EmbeddedBMSCombineLogic", "EmbeddedPluginKit", "PluginAPI"],
                path: "Plugins/BMSCombine/Entry", swiftSettings: embeddedSettings(aliases: ["PluginKit", "BMSCombineLogic"]),
                linkerSettings: embeddedLinkerSettings),
        .target(name: "OwnSoC", dependencies: ["EmbeddedOwnSoCLogic", "EmbeddedPluginKit", "PluginAPI"],
                path: "Plugins/OwnSoC/Entry", swiftSettings: embeddedSettings(aliases: ["PluginKit", "OwnSoCLogic"]),
                linkerSettings: embeddedLinkerSettings),

        // The daemon's core: config, discovery, aggregation, loader, guard, publisher, state.
        .target(
            name: "HostCore",
            dependencies: ["VeDbus", "PluginAPI", "PluginKit", "CSystem"],
            path: "Sources/HostCore"
        ),
        .target(
            name: "EmbeddedHostCore",
            dependencies: ["EmbeddedVeDbus", "PluginAPI", "EmbeddedPluginKit", "CSystem"],
            path: "Sources/Embedded/HostCore",
            swiftSettings: embeddedSettings(aliases: ["VeDbus", "PluginKit"], daemon: true)
        ),
        // `dbus-aggregate-batteries`: Embedded Swift, no Swift runtime, no Foundation, no
        // swift-log or ArgumentParser (neither builds as Embedded); it parses its few options itself.
        .executableTarget(
            name: "Host",
            dependencies: ["EmbeddedHostCore", "EmbeddedPluginKit", "EmbeddedVeDbus", "CSystem"],
            path: "Sources/Host",
            swiftSettings: embeddedSettings(aliases: ["HostCore", "PluginKit", "VeDbus"], daemon: true),
            linkerSettings: embeddedLinkerSettings
        ),
        // A simulated Venus OS system (batteries, Multi, MPPTs, shunts, settings, system).
        .target(
            name: "Simulator",
            dependencies: ["VeDbus", .product(name: "Logging", package: "swift-log")],
            path: "Sources/Simulator"
        ),
        // `dab-demo`: the simulated system, the real daemon as a child process, and a live view.
        .executableTarget(
            name: "Demo",
            dependencies: ["HostCore", "VeDbus", "Simulator", "BusTools"],
            path: "Sources/Demo"
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
                "HostCore", "Simulator", "VeDbus", "BusTools", "MallocCounter",
                .product(name: "Benchmark", package: "swift-benchmark"),
            ],
            path: "Benchmarks/TickBenchmark"
        ),

        // Helpers for tests that need a real dbus-daemon and independent clients (busctl, dbus-send).
        .target(name: "BusTestSupport", dependencies: ["VeDbus", "BusTools"], path: "Tests/BusTestSupport"),
        .testTarget(name: "VeDbusTests", dependencies: ["VeDbus", "CDBus", "BusTestSupport"], path: "Tests/VeDbusTests"),
        .testTarget(
            name: "PluginTests",
            dependencies: ["PluginAPI", "PluginKit", "OwnChargeLogic", "BMSCombineLogic", "OwnSoCLogic", "HostCore"],
            path: "Tests/PluginTests"
        ),
        .testTarget(name: "HostCoreTests", dependencies: ["HostCore", "BusTestSupport"], path: "Tests/HostCoreTests", exclude: ["Fixtures"]),
        .testTarget(name: "SimulatorTests", dependencies: ["Simulator", "VeDbus", "BusTools", "BusTestSupport"], path: "Tests/SimulatorTests"),
        .testTarget(name: "IntegrationTests", dependencies: ["HostCore", "VeDbus", "Simulator", "BusTools", "BusTestSupport"], path: "Tests/IntegrationTests"),
    ]
)
