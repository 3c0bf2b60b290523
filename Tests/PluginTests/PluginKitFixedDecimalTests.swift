import Foundation
import PluginKit
import Testing

@Suite struct PluginKitFixedDecimalTests {
    @Test(arguments: [
        (123.456, 3, "123.456"),
        (0.0, 3, "0.000"),
        (-0.0001, 3, "-0.000"),         // printf keeps the sign of a negative that rounds to 0
        (0.0005, 3, "0.001"),           // binary 0.000500000000000000010... rounds up
        (1.0005, 3, "1.000"),           // binary 1.000499999999999944... rounds down
        (2.675, 2, "2.67"),             // binary 2.674999999999999822... rounds down
        (0.125, 2, "0.12"),             // exact tie: to even
        (0.375, 2, "0.38"),             // exact tie: to even
        (2.5, 0, "2"),
        (3.5, 0, "4"),
        (-1.5, 0, "-2"),
        (0.9996, 3, "1.000"),           // carry into the whole part
        (-99.9999, 2, "-100.00"),
        (55.2, 2, "55.20"),
        (1e20, 1, "100000000000000000000.0"),
        (Double.nan, 3, "nan"),
        (-Double.infinity, 1, "-inf"),
    ])
    func formatsLikePrintf(value: Double, decimals: Int, expected: String) {
        #expect(FixedDecimal.format(value, decimals: decimals) == expected)
    }

    /// Many values of every magnitude against glibc's own printf.
    @Test func agreesWithPrintfOnManyValues() {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        var mismatches: [String] = []
        for index in 0..<20_000 {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let mantissa = Double(seed >> 11) / Double(1 << 53)
            let exponent = Int(seed % 23) - 6
            var value = mantissa * pow(10, Double(exponent))
            if index % 3 == 0 { value = (value * 1000).rounded() / 1000 + 0.0005 }  // near ties
            if index % 2 == 1 { value = -value }
            let decimals = index % 7
            let expected = String(format: "%.\(decimals)f", value)
            let actual = FixedDecimal.format(value, decimals: decimals)
            if actual != expected { mismatches.append("\(value) %.\(decimals)f: \(actual) != \(expected)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
    }

    @Test(arguments: [(0.5, "0.5"), (3.0, "3"), (2.45, "2.45"), (-0.0, "0"), (0.0025, "0.0025")])
    func compactDropsTrailingZeros(value: Double, expected: String) {
        #expect(FixedDecimal.compact(value) == expected)
    }

    /// Texts for people round the decimal they read and show no "-0.00".
    @Test(arguments: [(-1.25, 1, "-1.3"), (-0.004, 2, "0.00"), (4.35, 1, "4.4"), (0.125, 2, "0.13"),
                      (3.4999, 3, "3.500"), (7, 0, "7"), (2.5, 0, "3"), (1e20, 1, "100000000000000000000.0")])
    func halfAwayFromZero(value: Double, decimals: Int, expected: String) {
        #expect(FixedDecimal.format(value, decimals: decimals, rounding: .halfAwayFromZero) == expected)
    }
}

