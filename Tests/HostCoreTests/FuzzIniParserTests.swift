import BusTestSupport
import HostCore
import Testing

/// The INI parser reads files a person edited: any bytes at all must give a document (entries
/// plus problems), never a crash. Seeded, bounded by count (not time), corpus replayed first.
@Suite struct FuzzIniParserTests {
    /// Fragments that steer mutations towards the parser's decisions: headers, separators,
    /// comments, indentation, line ends, a BOM and bytes that are not UTF-8.
    static let fragments: [[UInt8]] = [
        "[DEFAULT]", "[other]", "[", "]", "=", ":", ";", "#", " ", "\t", "\n", "\r", "\r\n", "    ",
        "NR_OF_BATTERIES", "nr_of_batteries", "= 3", ": x", " ; c", "\n  continued",
    ].map { Array($0.utf8) } + [[0xEF, 0xBB, 0xBF], [0xFF], [0xC3], [0x00], [0xE2, 0x82]]

    /// What any document must satisfy, whatever the input.
    static func checkInvariants(_ input: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        let document = IniParser.parse(input, file: "fuzz.ini")
        #expect(IniParser.parse(input, file: "fuzz.ini") == document, "parsing is deterministic", sourceLocation: sourceLocation)
        let lineCount = input.filter { $0 == 0x0A || $0 == 0x0D }.count + 1
        var seen: Set<String> = []
        for entry in document.entries {
            #expect(!entry.key.isEmpty, sourceLocation: sourceLocation)
            #expect(!entry.key.contains("=") && !entry.key.contains("\n"), "key \(entry.key)", sourceLocation: sourceLocation)
            #expect(entry.location.line >= 1 && entry.location.line <= lineCount, sourceLocation: sourceLocation)
            // The same key twice is a problem, never two entries.
            #expect(seen.insert(entry.key.lowercased()).inserted, "duplicate \(entry.key)", sourceLocation: sourceLocation)
        }
    }

    @Test func corpusParsesWithoutACrash() {
        let corpus = FuzzBudget.corpus("ini")
        #expect(corpus.count >= 5, "the committed corpus is missing")
        for (_, bytes) in corpus { Self.checkInvariants(bytes) }
    }

    @Test func mutatedInputsParseWithoutACrash() {
        var random = FuzzRandom(seed: FuzzBudget.seed)
        let seeds = FuzzBudget.corpus("ini").map(\.bytes)
        for _ in 0..<FuzzBudget.iterations(default: 4000) {
            var input = seeds.isEmpty ? [] : seeds[random.below(seeds.count)]
            for _ in 0..<(1 + random.below(6)) {
                if random.oneIn(3) {
                    let fragment = Self.fragments[random.below(Self.fragments.count)]
                    input.insert(contentsOf: fragment, at: random.below(input.count + 1))
                } else {
                    input = random.mutate(input)
                }
            }
            Self.checkInvariants(input)
        }
    }
}
