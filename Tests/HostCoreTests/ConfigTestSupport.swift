import Foundation
@testable import HostCore

/// Paths and loaders shared by the config tests. Everything is found relative to this file, so
/// the tests run the same in any checkout.
enum ConfigTestSupport {
    static let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()   // HostCoreTests
        .deletingLastPathComponent()   // Tests
        .deletingLastPathComponent()   // repository root

    /// The in-repo copy of the sixteen users' files (byte-identical to shared/testdata).
    static let userConfigsDirectory = repositoryRoot
        .appendingPathComponent("Tests/HostCoreTests/Fixtures/user-configs")

    /// The shared original, present in the development layout; used only to catch drift.
    static let sharedUserConfigsDirectory = repositoryRoot
        .appendingPathComponent("../shared/testdata/user-configs").standardizedFileURL

    static let shippedDefaultsURL = repositoryRoot.appendingPathComponent("config.default.ini")

    static func bytes(_ url: URL) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url))
    }

    /// The shipped defaults, named as the daemon names them in messages.
    static func shippedDefaults() throws -> IniDocument {
        IniParser.parse(try bytes(shippedDefaultsURL), file: "config.default.ini")
    }

    /// The user file `name` (e.g. "08-...ini") parsed as config.ini.
    static func userFixture(_ name: String) throws -> IniDocument {
        IniParser.parse(try bytes(userConfigsDirectory.appendingPathComponent(name)), file: "config.ini")
    }

    static func fixtureNames() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: userConfigsDirectory.path)
            .filter { $0.hasSuffix(".ini") }
            .sorted()
    }

    /// Loads `userText` as config.ini over the shipped defaults.
    static func load(userText: String, strategyKeys: [String] = []) throws -> HostConfiguration {
        try HostConfiguration.load(defaults: try shippedDefaults(),
                                   user: IniParser.parse(userText, file: "config.ini"),
                                   strategyKeys: strategyKeys)
    }

    /// The ConfigError of loading `userText`, or nil if it loads.
    static func problems(userText: String, strategyKeys: [String] = []) throws -> ConfigError? {
        do {
            _ = try load(userText: userText, strategyKeys: strategyKeys)
            return nil
        } catch let error as ConfigError {
            return error
        }
    }

    /// A minimal valid user file plus `extra` lines.
    static func validUser(_ extra: String = "") -> String {
        "[DEFAULT]\nNR_OF_BATTERIES = 2\nNR_OF_CELLS_PER_BATTERY = 16\n" + extra
    }
}
