/// NR_OF_MPPTS applied to the solar chargers on the bus (§3.2 with CURRENT_FROM_VICTRON).
///
/// The Python program uses exactly NR_OF_MPPTS chargers, the first ones by bus name; with 0 it
/// counts no MPPT current at all (the layout in which every battery has its own shunt). It exits
/// when the count is not met; here a shortage only costs the Victron current of this tick, and a
/// surplus is used up to the count and said once.
public enum MpptSelection {
    /// NR_OF_MPPTS = -1 ("not set"): every solar charger found counts. The Python program would
    /// not start with CURRENT_FROM_VICTRON and no count; counting them all is what such a user means.
    public static let everyCharger = -1

    public enum Choice: Equatable, Sendable {
        /// Read these chargers (in bus-name order); `notice` says which were left out, if any.
        case use([String], notice: String?)
        /// Fewer chargers than NR_OF_MPPTS are on the bus: the Victron current is incomplete.
        case tooFew(reason: String)
    }

    /// The chargers to read from `found` (bus-name order) for NR_OF_MPPTS = `count`.
    public static func choose(from found: [String], count: Int) -> Choice {
        guard count >= 0 else { return .use(found, notice: nil) }
        guard found.count >= count else {
            return .tooFew(reason: "NR_OF_MPPTS = \(count) but \(found.count) solar charger"
                           + (found.count == 1 ? "" : "s") + " found"
                           + (found.isEmpty ? "" : " (" + found.joined(separator: ", ") + ")"))
        }
        guard found.count > count else { return .use(found, notice: nil) }
        let left = Array(found[count...])
        let notice = count == 0
            ? "NR_OF_MPPTS = 0: the current of the solar chargers is not counted ("
                + left.joined(separator: ", ") + " left out)"
            : "NR_OF_MPPTS = \(count) but \(found.count) solar chargers found: using the first \(count) by name, "
                + left.joined(separator: ", ") + " left out"
        return .use(Array(found[..<count]), notice: notice)
    }
}
