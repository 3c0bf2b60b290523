/// The open-circuit voltage of an LFP cell over its state of charge.
///
/// Flat plateau (3.25-3.35 V) between about 15 % and 92 %, steep knees below ~10 % and above
/// ~95 %: that shape is what makes one slightly fuller cell "peak" at the end of a charge while
/// the others still sit on the plateau, which is what the aggregator's charge control must see.
public enum LFPCellCurve {
    /// Cell SoC in percent (may lie a little outside 0...100 for an unbalanced cell) to volts.
    public static let openCircuitVoltage = PiecewiseLinear([
        (-5, 2.00), (0, 2.50), (3, 2.90), (6, 3.05), (10, 3.18), (15, 3.24), (20, 3.25),
        (35, 3.27), (50, 3.29), (65, 3.31), (80, 3.33), (90, 3.34), (95, 3.36),
        (98, 3.42), (100, 3.55), (102, 3.70), (105, 3.90),
    ])

    /// Terminal voltage of a cell: open-circuit voltage plus the drop over its internal
    /// resistance (current in A, + charging, raises the voltage) plus a fixed offset.
    public static func terminalVoltage(cellSocPercent: Double, currentA: Double,
                                       internalResistanceOhm: Double, offsetV: Double = 0) -> Double {
        openCircuitVoltage(cellSocPercent) + currentA * internalResistanceOhm + offsetV
    }
}
