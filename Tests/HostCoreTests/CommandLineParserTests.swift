import HostCore
import Testing

@Suite struct CommandLineParserTests {
    static let run = CommandSpec(name: "run", abstract: "Run.", options: [
        .value("config", "PATH", help: "Config."), .value("bus", "BUS", help: "Bus."),
    ])
    static let check = CommandSpec(name: "check-config", abstract: "Check.", options: [.value("config", "PATH", help: "Config.")],
                                   positional: PositionalSpec(name: "PATH", help: "File."))
    static let demo = CommandSpec(name: "demo", abstract: "Demo.", options: [
        .value("batteries", "N", help: "N."), .value("speed", "X", help: "X."), .value("own-soc", "BOOL", help: "B."),
        .flag("plain", help: "Plain."),
    ])
    static let commands = [run, check, demo]

    private func parse(_ arguments: [String]) throws(UsageError) -> CommandLineParser.Outcome {
        try CommandLineParser.parse(arguments, commands: Self.commands, defaultCommand: "run")
    }

    @Test func noCommandMeansRunAndBothOptionFormsAreRead() throws {
        guard case .run(let name, let arguments) = try parse(["--config", "/data/c.ini", "--bus=unix:path=/tmp/b"]) else {
            Issue.record("not a run")
            return
        }
        #expect(name == "run")
        #expect(arguments.string("config") == "/data/c.ini")
        #expect(arguments.string("bus") == "unix:path=/tmp/b")
    }

    @Test func aNamedCommandTakesItsOptionsPositionalAndFlags() throws {
        guard case .run(let name, let arguments) = try parse(["check-config", "my.ini", "--config", "x.ini"]) else {
            Issue.record("not a run")
            return
        }
        #expect(name == "check-config")
        #expect(arguments.positional == "my.ini")
        #expect(arguments.string("config") == "x.ini")

        guard case .run(_, let demo) = try parse(["demo", "--batteries", "8", "--speed", "2.5", "--own-soc", "false", "--plain"]) else {
            Issue.record("not a run")
            return
        }
        #expect(try demo.int("batteries", default: 2) == 8)
        #expect(try demo.double("speed", default: 1) == 2.5)
        #expect(try demo.bool("own-soc", default: true) == false)
        #expect(demo.flag("plain"))
        #expect(try demo.int("cells", default: 16) == 16)
    }

    @Test func helpAndVersionAreRecognised() throws {
        #expect(try parse(["--help"]) == .help(command: nil))
        #expect(try parse(["help", "demo"]) == .help(command: "demo"))
        #expect(try parse(["demo", "--batteries", "3", "-h"]) == .help(command: "demo"))
        #expect(try parse(["--version"]) == .version)
    }

    @Test func mistakesNameTheArgument() {
        #expect(throws: UsageError("run has no option --bogus")) { try parse(["--bogus"]) }
        #expect(throws: UsageError("--config needs a value")) { try parse(["run", "--config"]) }
        #expect(throws: UsageError("run takes no argument 'extra'")) { try parse(["run", "extra"]) }
        #expect(throws: UsageError("--plain takes no value")) { try parse(["demo", "--plain=yes"]) }
        #expect(throws: UsageError("unexpected extra argument 'b.ini'")) { try parse(["check-config", "a.ini", "b.ini"]) }
    }

    @Test func typedReadersRefuseBadValuesNamingOptionAndValue() throws {
        guard case .run(_, let demo) = try parse(["demo", "--batteries", "eight", "--speed", "0x10", "--own-soc", "maybe"]) else {
            Issue.record("not a run")
            return
        }
        #expect(throws: UsageError("--batteries eight: expected a whole number")) { try demo.int("batteries", default: 2) }
        #expect(throws: UsageError("--speed 0x10: expected a number")) { try demo.double("speed", default: 1) }
        #expect(throws: UsageError("--own-soc maybe: expected true or false")) { try demo.bool("own-soc", default: true) }
    }

    @Test func helpTextListsEveryOptionAndMarksTheDefaultCommand() {
        let overview = CommandHelp.overview(program: "dab", abstract: "Aggregates.", commands: Self.commands, defaultCommand: "run")
        #expect(overview.contains("run           Run. (default)"))
        #expect(overview.contains("check-config  Check."))
        let demo = CommandHelp.command(program: "dab", Self.demo)
        #expect(demo.contains("USAGE: dab demo [OPTIONS]"))
        for option in ["--batteries N", "--speed X", "--own-soc BOOL", "--plain", "-h, --help"] {
            #expect(demo.contains(option), "\(option) missing from:\n\(demo)")
        }
        #expect(CommandHelp.command(program: "dab", Self.check).contains("USAGE: dab check-config [OPTIONS] [PATH]"))
    }
}
