import PluginKit
import Testing

@Suite struct DecimalTextTests {
    @Test func plainDecimalsAreRead() {
        #expect(DecimalText.parse("3.45") == 3.45)
        #expect(DecimalText.parse("200") == 200)
        #expect(DecimalText.parse("-.5") == -0.5)
        #expect(DecimalText.parse("+7.") == 7)
        #expect(DecimalText.parse("2.5e-3") == 0.0025)
        #expect(DecimalText.parse("1E3") == 1000)
        #expect(DecimalText.parse("0.1") == 0.1)  // correctly rounded, as Python's float()
    }

    @Test func otherSpellingsAreRefused() {
        for text in ["", " 1", "1 ", ".", "-", "e3", "1e", "1e+", "0x10", "0x1p3", "nan", "inf", "-inf", "1,5", "1.2.3", "1e400", "١٢"] {
            #expect(DecimalText.parse(text) == nil, "\(text) was accepted")
        }
    }
}
