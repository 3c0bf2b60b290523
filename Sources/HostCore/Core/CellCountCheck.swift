/// The check that a BMS reports as many series cells as NR_OF_CELLS_PER_BATTERY says.
/// The original exits on a mismatch; here only that battery becomes invalid, with the reason.
public enum CellCountCheck {
    public static let path = "/System/NrOfCellsPerBattery"

    /// Why the battery's cell count is unacceptable, or nil when it is fine. A missing count is
    /// accepted with CAN batteries (Pylontech and others do not publish it).
    public static func problem<View: MonitorView>(in view: View, service: String, cellsPerBattery: Int,
                                                  canBatteries: Bool) -> String? {
        problem(reported: view.integer(service, path), cellsPerBattery: cellsPerBattery, canBatteries: canBatteries)
    }

    /// The same verdict on a count already read.
    static func problem(reported: Int?, cellsPerBattery: Int, canBatteries: Bool) -> String? {
        guard let reported else {
            if canBatteries { return nil }
            return "publishes no \(path); it must report \(cellsPerBattery) cells (NR_OF_CELLS_PER_BATTERY)"
        }
        if reported == cellsPerBattery { return nil }
        return "reports \(reported) cells but NR_OF_CELLS_PER_BATTERY = \(cellsPerBattery)"
    }
}
