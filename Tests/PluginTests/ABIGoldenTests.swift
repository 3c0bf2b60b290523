import Foundation
import Testing

/// The plugin ABI against numbers written down by hand (Tests/ABI/abi_golden.c), not against the
/// header's own layout: a field that moves breaks every plugin already built, even while the
/// header, the host and new plugins still agree with each other. ABILayoutTests checks that Swift
/// and C agree; this checks that neither has moved.
@Suite struct ABIGoldenTests {
    static let include = LoaderFixtures.repositoryRoot + "/Sources/PluginAPI/include"
    static let golden = LoaderFixtures.repositoryRoot + "/Tests/ABI/abi_golden.c"
    static let fastMath = LoaderFixtures.repositoryRoot + "/Tests/ABI/fast_math_known.c"

    /// The layout on this machine (LP64 on x86_64 and aarch64), built and run as a plugin would be.
    @Test func goldenLayoutHoldsForTheHostCompiler() throws {
        let directory = try LoaderFixtures.temporaryDirectory()
        defer { LoaderFixtures.remove(directory) }
        let program = directory + "/abi_golden"
        _ = try run(["cc", "-std=c11", "-Wall", "-Werror", "-I", Self.include, "-o", program, Self.golden],
                    in: directory)
        #expect(try run([program], in: directory).isEmpty)
    }

    /// The GX devices' targets: armv7 hard-float (the ILP32 table) and aarch64 (LP64). Only the
    /// compiler is needed, not the target, since every check is a _Static_assert.
    @Test(arguments: ["arm-linux-gnueabihf-gcc", "aarch64-linux-gnu-gcc"])
    func goldenLayoutHoldsForCrossCompiler(_ compiler: String) throws {
        guard Self.isOnPath(compiler) else {
            // No runtime skip here: the test passes and says why it checked nothing.
            print("ABIGoldenTests: \(compiler) is not on PATH, its layout was not checked "
                + "(apt-get install gcc-arm-linux-gnueabihf gcc-aarch64-linux-gnu)")
            return
        }
        let directory = try LoaderFixtures.temporaryDirectory()
        defer { LoaderFixtures.remove(directory) }
        _ = try run([compiler, "-std=c11", "-Wall", "-Werror", "-fsyntax-only", "-I", Self.include, Self.golden],
                    in: directory)
    }

    /// dab_is_known must still see NaN in a plugin built with -ffast-math (the program exits
    /// non-zero and names the failed check otherwise).
    @Test func unknownStaysUnknownUnderFastMath() throws {
        let directory = try LoaderFixtures.temporaryDirectory()
        defer { LoaderFixtures.remove(directory) }
        let program = directory + "/fast_math_known"
        _ = try run(["cc", "-std=c11", "-O2", "-ffast-math", "-Wall", "-I", Self.include, "-o", program,
                     Self.fastMath], in: directory)
        #expect(try run([program], in: directory).isEmpty)
    }

    /// True when `command` names an executable file in a folder of PATH.
    private static func isOnPath(_ command: String) -> Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").contains { folder in
            FileManager.default.isExecutableFile(atPath: "\(folder)/\(command)")
        }
    }

    /// Runs a command, returns its standard output; throws with its standard error when it fails.
    /// Standard error goes to a file in `directory`, so a compiler's long error list cannot fill a
    /// pipe while standard output is being read.
    private func run(_ arguments: [String], in directory: String) throws -> String {
        let errorPath = directory + "/stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        let errorFile = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = errorFile
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try errorFile.close()
        guard process.terminationStatus == 0 else {
            let errors = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
            throw FixtureError("\(arguments.joined(separator: " ")) exited with \(process.terminationStatus): \(errors)")
        }
        return text
    }
}
