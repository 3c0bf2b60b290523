/// What each host key does in this daemon, in one line, for `check-config`: a user who brings a
/// config.ini from the Python program sees for every key set there whether and how it acts here.
/// Strategy keys are described by the strategies that declare them (`ReportedStrategy`).
public enum ConfigKeyRoles {
    /// The keys the Python program needed for its exit-and-restart fault handling: parsed and
    /// checked so an old config.ini loads, without effect, with the keys that took their place.
    public static let replacedKeys: [(key: String, replacedBy: String, why: String)] = [
        ("SEARCH_TRIALS", "STARTUP_WAIT",
         "devices are found whenever they appear on the bus; the start waits up to STARTUP_WAIT s for "
            + "all batteries, then runs with those found, instead of exiting after SEARCH_TRIALS searches"),
        ("READ_TRIALS", "STALE_TIMEOUT and OFFLINE_BLOCK_AFTER",
         "a battery that stops updating is stale after STALE_TIMEOUT s and left out of the bank, and "
            + "CCL = DCL = 0 after OFFLINE_BLOCK_AFTER s; a failed Multi/MPPT read keeps the BMS current "
            + "for that update; nothing exits"),
        ("UPDATE_INTERVAL_FIND_DEVICES", "D-Bus signals and STARTUP_WAIT",
         "devices are noticed the moment they appear, nothing is polled"),
        ("TIME_BEFORE_RESTART", "STARTUP_WAIT, STALE_TIMEOUT and OFFLINE_BLOCK_AFTER",
         "a missing device or failed read never ends the program, so there is no restart to delay"),
    ]

    /// The role of every other host key.
    static let activeRoles: [(key: String, role: String)] = [
        ("NR_OF_BATTERIES", "batteries the bank expects; fewer online is a degraded state (BmsCable alarm), "
            + "more are used with a warning"),
        ("NR_OF_CELLS_PER_BATTERY", "cells in series per battery; a BMS reporting another count is left out; "
            + "per-cell voltages are multiplied by it"),
        ("NR_OF_MPPTS", "with CURRENT_FROM_VICTRON: the current of the first N solar chargers by name counts "
            + "(0: none; -1: every one found); fewer than N present keeps the BMS current"),
        ("BATTERY_SERVICE_NAME", "service name prefix of the batteries and of battery-mode SmartShunts"),
        ("DCLOAD_SERVICE_NAME", "service name prefix of DC-meter SmartShunts"),
        ("BATTERY_PRODUCT_NAME_PATH", "path of the product name that marks a battery"),
        ("BATTERY_PRODUCT_NAME", "text in the product name that marks a battery (case-sensitive)"),
        ("BATTERY_INSTANCE_NAME_PATH", "path of each battery's name in logs, lists and /Voltages/<name>_Cell<k>"),
        ("MULTI_KEYWORD", "service name prefix of the Multi/Quattro read with CURRENT_FROM_VICTRON; empty: none"),
        ("MPPT_KEYWORD", "service name prefix of the solar chargers read with CURRENT_FROM_VICTRON"),
        ("SMARTSHUNT_NAME_KEYWORD", "text in the product name that marks a SmartShunt"),
        ("SMARTSHUNT_INSTANCE_NAME_PATH", "path of a SmartShunt's name, matched against the names in USE_SMARTSHUNTS"),
        ("UPDATE_INTERVAL_DATA", "seconds per update: read, aggregate, compute limits and SoC, publish"),
        ("CURRENT_FROM_VICTRON", "bank current from the Multi, the solar chargers and the SmartShunts instead of the BMSes"),
        ("CAN_batteries", "tolerate what CAN BMSes do not publish (cell count, cell sum, power, capacity)"),
        ("USE_SMARTSHUNTS", "the SmartShunts whose current adds to the Victron current"),
        ("INVERT_SMARTSHUNTS", "sign of the SmartShunt currents in the Victron current"),
        ("SMARTSHUNT_AS_BATTERY_CURRENT", "a battery-mode SmartShunt alone gives the bank current"),
        ("IGNORE_SMARTSHUNT_ABSENCE", "a missing SmartShunt falls back to the BMS current without a failed read"),
        ("OWN_SOC", "with SOC_STRATEGY empty, chooses the SoC strategy: True OwnSoC, False BMSAverage"),
        ("OWN_CHARGE_PARAMETERS", "with CHARGE_STRATEGY empty, chooses the charge strategy: True OwnCharge, "
            + "False BMSCombine"),
        ("CHARGE_STRATEGY", "the charge strategy plugin by name; empty: OWN_CHARGE_PARAMETERS decides"),
        ("SOC_STRATEGY", "the SoC strategy plugin by name; empty: OWN_SOC decides"),
        ("PLUGIN_DIR", "directory searched for strategy plugins; empty: the one installed with the program"),
        ("MAX_CHARGE_CURRENT", "set in config.ini: caps the published charge current limit whatever the strategy, "
            + "the combined BMS limits included (left at its default it caps nothing)"),
        ("MAX_DISCHARGE_CURRENT", "set in config.ini: caps the published discharge current limit whatever the "
            + "strategy, the combined BMS limits included (left at its default it caps nothing)"),
        ("STALE_TIMEOUT", "seconds without an update after which a battery is stale and left out of the bank"),
        ("OFFLINE_BLOCK_AFTER", "seconds a battery may be not online before CCL and DCL go to 0"),
        ("MAX_VALUE_BYTES", "bytes a watched value may take on the bus; a larger one is an invalid reading"),
        ("STARTUP_WAIT", "seconds to wait at start for every battery before registering degraded"),
        ("EXCLUDED_BATTERIES", "batteries (name, custom name or serial) left out of the bank"),
        ("SEND_CELL_VOLTAGES", "publish every cell of every battery as /Voltages/<battery>_Cell<k>"),
        ("LOGGING", "log level: ERROR, WARNING, INFO or DEBUG"),
        ("LOG_PERIOD", "seconds between two summary lines in the log; 0: none"),
        ("TRACE_FILE", "file the daemon writes a trace of its strategies' inputs and outputs to, a JSON line a tick; "
            + "empty: none"),
        ("TRACE_MAX_BYTES", "size at which the trace file is rotated to TRACE_FILE.1"),
    ]

    /// What the host does with `key` (case-insensitive); nil for a key only strategies read.
    /// A replaced key says "accepted, replaced by ...".
    public static func hostRole(forKey key: String) -> String? {
        let wanted = ConfigText.lowercasedASCII(key)
        for entry in replacedKeys where ConfigText.lowercasedASCII(entry.key) == wanted {
            return "accepted, replaced by " + entry.replacedBy + ": no effect here; " + entry.why
        }
        for entry in activeRoles where ConfigText.lowercasedASCII(entry.key) == wanted {
            return entry.role
        }
        return nil
    }
}
