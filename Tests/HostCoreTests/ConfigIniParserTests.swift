import Testing
@testable import HostCore

/// The INI dialect, feature by feature, as configparser (plus `;` inline comments) reads it.
@Suite("INI reader")
struct ConfigIniParserTests {
    private func parse(_ text: String) -> IniDocument {
        IniParser.parse(text, file: "config.ini")
    }

    private func value(_ document: IniDocument, _ key: String) -> String? {
        document.entry(forKey: key)?.value
    }

    @Test func equalsAndColonDelimitersAndTheFirstOneWins() {
        let document = parse("[DEFAULT]\nA = 1\nB: 2\nC = x:y\nD: /p=q\n")
        #expect(document.problems.isEmpty)
        #expect(value(document, "A") == "1")
        #expect(value(document, "B") == "2")
        #expect(value(document, "C") == "x:y")
        #expect(value(document, "D") == "/p=q")
    }

    @Test func fullLineCommentsWithSemicolonOrHashAreSkipped() {
        let document = parse("; top\n[DEFAULT]\n# hash comment = not a key\n   ; indented comment\nA = 1\n;B = 2\n")
        #expect(document.problems.isEmpty)
        #expect(document.entries.map(\.key) == ["A"])
    }

    @Test func inlineSemicolonCommentNeedsWhitespaceBeforeIt() {
        let document = parse("[DEFAULT]\nA = 1 ; one\nB = 2\t; tab\nC = x;y\nD = a # b\nE = ; only a comment\n")
        #expect(value(document, "A") == "1")
        #expect(value(document, "B") == "2")
        #expect(value(document, "C") == "x;y")
        #expect(value(document, "D") == "a # b")
        #expect(value(document, "E") == "")
    }

    @Test func indentedLinesContinueTheValueJoinedWithNewlines() {
        let text = "[DEFAULT]\nLIST =\n    3.55,  ; January\n    3.50,  ; February\n; a comment between\n    3.45   ; March\nNEXT = 1\n"
        let document = parse(text)
        #expect(document.problems.isEmpty)
        #expect(value(document, "LIST") == "3.55,\n3.50,\n3.45")
        #expect(value(document, "NEXT") == "1")
    }

    @Test func blankLinesInsideAContinuedValueAreKeptTrailingOnesDropped() {
        let document = parse("[DEFAULT]\nA = x\n\n  y\n\n\nB = 2\n")
        #expect(value(document, "A") == "x\n\ny")
        #expect(value(document, "B") == "2")
    }

    @Test func continuationIsRelativeToTheKeyIndent() {
        let document = parse("[DEFAULT]\n  A = 1\n  B = 2\n    more\n")
        #expect(value(document, "A") == "1")
        #expect(value(document, "B") == "2\nmore")
    }

    @Test func keysCompareCaseInsensitively() {
        let document = parse("[DEFAULT]\nnr_of_batteries = 3\n")
        #expect(value(document, "NR_OF_BATTERIES") == "3")
        #expect(document.entries.first?.key == "nr_of_batteries")
    }

    @Test func crlfCrAndMissingFinalNewlineAndTrailingSpaces() {
        let crlf = parse("[DEFAULT]\r\nA = 1   \r\nB = two words  \r\nC = 3")
        #expect(crlf.problems.isEmpty)
        #expect(value(crlf, "A") == "1")
        #expect(value(crlf, "B") == "two words")
        #expect(value(crlf, "C") == "3")
        #expect(crlf.entry(forKey: "C")?.location.line == 4)
        let oldMac = parse("[DEFAULT]\rA = 1\rB = 2")
        #expect(value(oldMac, "B") == "2")
        #expect(oldMac.entry(forKey: "B")?.location.line == 3)
    }

    @Test func nonUTF8BytesInCommentsAndValuesDoNotBreakReading() {
        var bytes = Array("[DEFAULT]\n; caf".utf8) + [0xE9, 0xFF, 0xFE] + Array(" latin-1 and junk\n".utf8)
        bytes += Array("A = 1 ; ".utf8) + [0xC3, 0x28] + Array("\nB = x".utf8) + [0xFF] + Array("\n".utf8)
        let document = IniParser.parse(bytes, file: "config.ini")
        #expect(document.problems.isEmpty)
        #expect(value(document, "A") == "1")
        #expect(value(document, "B") == "x\u{FFFD}")
    }

    @Test func emptyValuesAreValues() {
        let document = parse("[DEFAULT]\nA =\nB :\n")
        #expect(document.problems.isEmpty)
        #expect(value(document, "A") == "")
        #expect(value(document, "B") == "")
    }

    @Test func everyEntryRemembersFileAndLine() {
        let document = parse("\n[DEFAULT]\n\n; c\nA = 1\nB = 2\n")
        #expect(document.entry(forKey: "A")?.location == ConfigLocation(file: "config.ini", line: 5))
        #expect(document.entry(forKey: "B")?.location.description == "config.ini:6")
    }

    @Test func duplicateKeyIsAProblemEvenInAnotherCase() {
        let document = parse("[DEFAULT]\nA = 1\nB = 2\na = 3\n")
        #expect(document.problems.count == 1)
        let problem = document.problems[0]
        #expect(problem.kind == .duplicateKey)
        #expect(problem.description == "config.ini:4: a = 3: duplicate key (already set on line 2)")
        #expect(value(document, "A") == "1")
    }

    @Test func lineWithoutDelimiterIsASyntaxProblem() {
        let document = parse("[DEFAULT]\nA = 1\nJUST_A_WORD\nB = 2\n")
        #expect(document.problems.map(\.kind) == [.syntax])
        #expect(document.problems[0].location?.line == 3)
        #expect(document.problems[0].description.contains("JUST_A_WORD"))
        #expect(value(document, "B") == "2")
    }

    @Test func emptyKeyIsASyntaxProblem() {
        let document = parse("[DEFAULT]\n= 5\n")
        #expect(document.problems.map(\.kind) == [.syntax])
        #expect(document.entries.isEmpty)
    }

    @Test func keyBeforeTheHeaderIsReportedOnce() {
        let document = parse("A = 1\nB = 2\n[DEFAULT]\nC = 3\n")
        #expect(document.problems.map(\.kind) == [.keyOutsideSection])
        #expect(document.problems[0].location?.line == 1)
        #expect(document.entries.map(\.key) == ["C"])
    }

    @Test func otherSectionsAreRejectedAndTheirKeysNotRead() {
        let document = parse("[DEFAULT]\nA = 1\n[extra]\nB = 2\n  cont\n[default]\nC = 3\n[DEFAULT]\nD = 4\n")
        #expect(document.problems.map(\.kind) == [.unknownSection, .unknownSection])
        #expect(document.problems[1].message.contains("case-sensitive"))
        #expect(document.entries.map(\.key) == ["A", "D"])
    }

    @Test func aLeadingByteOrderMarkIsSkipped() {
        let document = IniParser.parse([0xEF, 0xBB, 0xBF] + Array("[DEFAULT]\nA = 1\n".utf8), file: "config.ini")
        #expect(document.problems.isEmpty)
        #expect(value(document, "A") == "1")
    }
}
