/*
 * dab_plugin.h - the strategy plugin ABI of dbus-aggregate-batteries.
 *
 * A plugin is a shared library that exports one C symbol, DAB_ENTRY_SYMBOL, of type
 * dab_entry_fn. The host calls it with the ABI major version it speaks; the library returns a
 * descriptor listing one or more strategies, or NULL with a reason.
 *
 * Rules of evolution:
 *   - Every struct that crosses the boundary starts with `struct_size`, the size in bytes of the
 *     struct as the writer of that struct knew it. A reader must not touch a field that lies
 *     beyond `struct_size` (use DAB_HAS_FIELD).
 *   - New fields are only appended, and a minor version is bumped. Changing or removing a field
 *     is a major version bump, the only breaking change.
 *   - Plain C types only: fixed-width integers, double, const char * (UTF-8, NUL-terminated),
 *     pointers to the structs below and function pointers.
 *
 * How "unknown" is written:
 *   - double: NaN (use DAB_UNKNOWN / dab_is_known). Never 0: 0 V or 0 % are real values.
 *   - const char *: NULL.
 *   - int32_t counts and flags: -1 (DAB_UNKNOWN_INT).
 *
 * Threading: the host calls every function of one strategy instance from one thread, never
 * concurrently. A plugin does no I/O of its own: it logs, reads config and keeps state only
 * through the host services, and it asks for side effects through its outputs.
 *
 * Lifetimes: every pointer that crosses the boundary is borrowed; nobody frees what the other
 * side allocated. Each field or function below says how long its pointer stays valid. In short:
 *   - Everything a tick receives (dab_tick_input and all it points to) is valid only during that
 *     tick call: the host reuses its buffers on the next tick. Copy what you keep.
 *   - Strings a plugin passes to a host service are read during the call only; the host copies
 *     them, so a stack buffer is fine.
 *   - What the library describes (dab_library, dab_strategy, their strings and config keys) must
 *     stay valid as long as the library is loaded, which is until the process ends: the host
 *     never unloads a library. Static data does this.
 *
 * A strategy in plain C needs only this header and a C compiler; see Examples/FixedLimits and
 * Examples/WRITING-A-STRATEGY.md.
 */
#ifndef DAB_PLUGIN_H
#define DAB_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The ABI major version this header describes. A library built for another major is refused. */
#define DAB_ABI_MAJOR 1u
/** The ABI minor version: fields appended since the major was introduced. */
#define DAB_ABI_MINOR 0u

/** Name of the one symbol every plugin library exports. */
#define DAB_ENTRY_SYMBOL "dab_plugin_entry"

/** Unknown value of a double field. */
#define DAB_UNKNOWN (__builtin_nan(""))
/** Unknown value of an int32_t count or flag. */
#define DAB_UNKNOWN_INT (-1)

/** True when `field` of the struct at `ptr` lies within the struct_size its writer declared. */
#define DAB_HAS_FIELD(ptr, type, field) \
    ((ptr)->struct_size >= offsetof(type, field) + sizeof(((type *)0)->field))

/** Return codes of plugin functions. */
enum {
    DAB_OK = 0,
    /** The input did not allow a result this tick (the host falls back to safe limits). */
    DAB_ERR_INPUT = 1,
    /** The configuration is unusable (create only); the message names key and value. */
    DAB_ERR_CONFIG = 2,
    /** Anything else. */
    DAB_ERR_INTERNAL = 3
};

/** What a strategy computes. */
typedef enum dab_strategy_kind {
    /** Charge voltage limit, charge and discharge current limits. */
    DAB_KIND_CHARGE = 1,
    /** State of charge, capacity, consumed Ah, time to go. */
    DAB_KIND_SOC = 2
} dab_strategy_kind;

/** Log levels, as the LOGGING key names them. */
typedef enum dab_log_level {
    DAB_LOG_ERROR = 0,
    DAB_LOG_WARNING = 1,
    DAB_LOG_INFO = 2,
    DAB_LOG_DEBUG = 3
} dab_log_level;

/** A calendar date in the local time zone of the system. */
typedef struct dab_date {
    int32_t year;  /**< e.g. 2026 */
    int32_t month; /**< 1 (January) .. 12 (December) */
    int32_t day;   /**< 1 .. 31 */
} dab_date;

/**
 * One configuration key a strategy reads, so the host can validate a config and print help.
 * The key array and its strings are the library's: static, valid as long as the library is loaded.
 */
typedef struct dab_config_key {
    const char *name;          /**< key as written in config.ini, e.g. "MAX_CELL_VOLTAGE" */
    const char *default_value; /**< default as INI text, e.g. "3.45"; "" for an empty list */
    const char *description;   /**< one line, with the unit */
} dab_config_key;

/**
 * Services the host offers a strategy instance. The pointer create() receives, and the struct
 * it points to, stay valid from create() until destroy() returns; keep the pointer in the
 * instance. Every function takes `host_context` as its first argument.
 */
typedef struct dab_host_services {
    uint32_t struct_size;
    void *host_context;

    /** Writes one log line at `level` (dab_log_level). The host adds the strategy's name.
     *  `message` is read during the call only (the host copies it). */
    void (*log)(void *host_context, int32_t level, const char *message);

    /**
     * The raw INI text of `key` (user's config.ini over config.default.ini), trimmed, with
     * comments and line continuations already joined; NULL when no file sets the key.
     * The returned string is the host's and stays valid until destroy(); `key` is read during
     * the call only.
     */
    const char *(*config_get)(void *host_context, const char *key);

    /**
     * Reads the persistent value stored under `key` into `buffer` (NUL-terminated).
     * Returns its length in bytes, -1 when nothing is stored, -2 when it is unreadable, and
     * -3 when `capacity` is too small. Keys are [a-z0-9_]; the host keeps each key in the
     * state directory as the file "storedvalue_<key>" (the Python program's names).
     * `buffer` is the caller's: the host writes at most `capacity` bytes into it during the call
     * and keeps no pointer to it.
     */
    int32_t (*state_read)(void *host_context, const char *key, char *buffer, uint32_t capacity);

    /**
     * Stores `value` (UTF-8 text, at most 255 bytes) under `key`. The host writes it atomically
     * at the end of the tick and retries failed writes itself. Returns DAB_OK when accepted.
     * `key` and `value` are read during the call only (the host copies them).
     */
    int32_t (*state_write)(void *host_context, const char *key, const char *value);

    /**
     * Reports that the stored value under `key` could not be parsed. The host moves the file
     * aside (with a time stamp) so nothing is lost, and logs `reason`. `key` and `reason` are
     * read during the call only.
     */
    void (*state_corrupt)(void *host_context, const char *key, const char *reason);

    /** The current local calendar date (the host's clock, which tests inject). */
    void (*local_date)(void *host_context, dab_date *out);

    /**
     * Reports an unusable value of `key` (`problem` says why, e.g. "must be between 2 and 5 V").
     * The host adds the file, line and value, and lists every such error of every strategy at
     * once before it refuses to start. create() then returns DAB_ERR_CONFIG. `key` and
     * `problem` are read during the call only (the host copies them).
     */
    void (*config_error)(void *host_context, const char *key, const char *problem);
} dab_host_services;

/**
 * One battery (one BMS) as the host sees it this tick. Only batteries online are passed.
 * The struct and every string and array it points to (name, service, charge_mode, min_cell_id,
 * max_cell_id, cell_voltages_v) are the host's and valid only during the tick call that received
 * them: the host reuses its buffers on the next tick. Copy what you keep.
 */
typedef struct dab_battery_input {
    uint32_t struct_size;
    const char *name;               /**< display name: /Serial or /CustomName, made unique */
    const char *service;            /**< D-Bus service name, e.g. com.victronenergy.battery.ttyUSB0 */

    double voltage_v;               /**< /Dc/0/Voltage, V */
    double current_a;               /**< /Dc/0/Current, A, + = charging */
    double power_w;                 /**< /Dc/0/Power, W, + = charging */
    double temperature_c;           /**< /Dc/0/Temperature, degrees C */
    double soc_percent;             /**< /Soc, % 0..100 */
    double capacity_ah;             /**< /Capacity, Ah remaining */
    double installed_capacity_ah;   /**< /InstalledCapacity, Ah */
    double consumed_ah;             /**< /ConsumedAmphours, Ah, negative or 0 */
    double time_to_go_s;            /**< /TimeToGo, s */

    double max_charge_voltage_v;    /**< /Info/MaxChargeVoltage: the BMS's CVL, V */
    double max_charge_current_a;    /**< /Info/MaxChargeCurrent: the BMS's CCL, A */
    double max_discharge_current_a; /**< /Info/MaxDischargeCurrent: the BMS's DCL, A */
    const char *charge_mode;        /**< /Info/ChargeMode, e.g. "Float", "Bulk" */

    double voltages_sum_v;          /**< /Voltages/Sum, V (estimated for CAN batteries) */
    double min_cell_voltage_v;      /**< /System/MinCellVoltage, V */
    double max_cell_voltage_v;      /**< /System/MaxCellVoltage, V */
    const char *min_cell_id;        /**< /System/MinVoltageCellId, e.g. "C3" */
    const char *max_cell_id;        /**< /System/MaxVoltageCellId */

    int32_t nr_blocking_charge;     /**< /System/NrOfModulesBlockingCharge, 0 = allowed */
    int32_t nr_blocking_discharge;  /**< /System/NrOfModulesBlockingDischarge */

    uint32_t cell_count;            /**< number of entries in cell_voltages_v */
    const double *cell_voltages_v;  /**< /Voltages/Cell1..N, V; an unknown cell is NaN */
} dab_battery_input;

/**
 * The bank: the batteries online combined (section 3.1 of the reference behaviour).
 * The struct and its strings (max_cell_id, min_cell_id) are valid only during the tick call that
 * received them: the host reuses its buffers on the next tick. Copy what you keep.
 */
typedef struct dab_bank_input {
    uint32_t struct_size;
    double voltage_v;               /**< mean voltage of the batteries online, V */
    double current_a;               /**< bank current, A (from Victron devices or shunts if configured) */
    double power_w;                 /**< W */
    double temperature_c;           /**< mean temperature, degrees C */
    double installed_capacity_ah;   /**< sum of InstalledCapacity, Ah */
    double bms_soc_percent;         /**< capacity-weighted mean of the BMSes' SoC, % */
    double bms_capacity_ah;         /**< sum of the BMSes' /Capacity, Ah */
    double bms_consumed_ah;         /**< sum of the BMSes' /ConsumedAmphours, Ah */
    double bms_time_to_go_s;        /**< capacity-weighted mean TimeToGo, s; unknown if any is */
    double max_cell_voltage_v;      /**< highest cell over all batteries, V */
    double min_cell_voltage_v;      /**< lowest cell over all batteries, V */
    const char *max_cell_id;        /**< "<battery>: <cell id>" */
    const char *min_cell_id;
    int32_t nr_blocking_charge;     /**< sum over batteries */
    int32_t nr_blocking_discharge;  /**< sum over batteries */
    int32_t system_low_soc;         /**< com.victronenergy.system /SystemState/LowSoc: 0, 1 or -1 unknown */
} dab_bank_input;

/** Output of a charge strategy. The host fills it with unknowns before each tick. */
typedef struct dab_charge_output {
    uint32_t struct_size;
    double charge_voltage_limit_v;      /**< CVL, V */
    double charge_current_limit_a;      /**< CCL, A, >= 0 */
    double discharge_current_limit_a;   /**< DCL, A, >= 0 */
    /** 1: DC-coupled PV feed-in must be off now; 0: no request (the host restores the user's value). */
    int32_t request_feed_in_off;
    /** 1: the bank is full now (reset a coulomb counter to full); 0: not; -1: this strategy gives no such hint. */
    int32_t hint_bank_full;
    /** 1: the bank is empty now (reset a coulomb counter to 0); 0: not; -1: no such hint. */
    int32_t hint_bank_empty;
    /** Why the limits are what they are, for people: e.g. "cell C7 of B1 at 3.46 V: dynamic CVL". */
    char limit_reason[128];
    /** The strategy's own state for logs, e.g. "balancing: idle, last 2026-11-20". */
    char strategy_state[128];
} dab_charge_output;

/** Output of a SoC strategy. The host fills it with unknowns before each tick. */
typedef struct dab_soc_output {
    uint32_t struct_size;
    double soc_percent;     /**< %, 0..100 */
    double capacity_ah;     /**< Ah remaining */
    double consumed_ah;     /**< Ah, 0 when full, negative otherwise */
    double time_to_go_s;    /**< s; unknown while not discharging */
    /** The strategy's own state for logs, e.g. "counter 123.456 Ah". */
    char strategy_state[128];
} dab_soc_output;

/**
 * Everything a strategy gets each tick. This struct and everything it points to (bank,
 * batteries and each battery, charge) are valid only during the tick call that received them:
 * the host reuses its buffers on the next tick. Copy what you keep.
 */
typedef struct dab_tick_input {
    uint32_t struct_size;
    double time_step_s;                 /**< seconds since the previous tick of this instance */
    dab_date date;                      /**< local calendar date */
    /** Packs the bank should have: NR_OF_BATTERIES, or more when more have joined. A charge
     *  strategy gives the limits of this whole bank; while fewer are online the host scales CCL
     *  and DCL by the online packs' share of the installed capacity. A SoC strategy should not
     *  rescale or save a counter from a partial bank (batteries_online < batteries_expected). */
    uint32_t batteries_expected;
    uint32_t batteries_online;          /**< entries in `batteries` */
    const dab_bank_input *bank;         /**< valid during this tick call only */
    /** `batteries_online` pointers (may be NULL when none is online); valid during this tick call only. */
    const dab_battery_input *const *batteries;
    /** For SoC strategies: the charge strategy's output of this same tick; NULL for charge
     *  strategies. Valid during this tick call only. */
    const dab_charge_output *charge;
} dab_tick_input;

/**
 * Writes a NUL-terminated message of at most `capacity` bytes (including the NUL) into `error`.
 * `text` is the host's buffer, valid only during the call that received it.
 */
typedef struct dab_error_buffer {
    char *text;
    uint32_t capacity;
} dab_error_buffer;

/**
 * One strategy of a library. The struct, its strings and `config_keys` are the library's: static,
 * valid as long as the library is loaded (the host never unloads one).
 */
typedef struct dab_strategy {
    uint32_t struct_size;
    int32_t kind;                        /**< dab_strategy_kind */
    const char *name;                    /**< as CHARGE_STRATEGY / SOC_STRATEGY name it, e.g. "OwnCharge" */
    const char *version;                 /**< e.g. "1.0.0" */
    const char *description;             /**< one line */
    uint32_t config_key_count;
    const dab_config_key *config_keys;   /**< the keys this strategy reads */

    /**
     * Makes an instance. On failure returns non-zero (DAB_ERR_CONFIG for a bad key value) and
     * writes a message into `error`; `*instance` is then ignored. `host` stays valid until
     * destroy() returns (keep it); `error.text` only during this call.
     */
    int32_t (*create)(const dab_host_services *host, void **instance, dab_error_buffer error);

    /** Charge strategies: one tick. NULL for SoC strategies. `input`, `output` and `error.text`
     *  are the host's, valid during this call only. */
    int32_t (*tick_charge)(void *instance, const dab_tick_input *input, dab_charge_output *output,
                           dab_error_buffer error);

    /** SoC strategies: one tick. NULL for charge strategies. `input`, `output` and `error.text`
     *  are the host's, valid during this call only. */
    int32_t (*tick_soc)(void *instance, const dab_tick_input *input, dab_soc_output *output,
                        dab_error_buffer error);

    /** Called once when the host is done, also on shutdown so the strategy can save its state. */
    void (*destroy)(void *instance);
} dab_strategy;

/**
 * What a library offers. Static data owned by the library: the struct, `library_name`,
 * `strategies` and every strategy it lists must stay valid as long as the library is loaded
 * (the host never unloads one).
 */
typedef struct dab_library {
    uint32_t struct_size;
    uint32_t abi_major;                  /**< DAB_ABI_MAJOR the library was built with */
    uint32_t abi_minor;                  /**< DAB_ABI_MINOR the library was built with */
    const char *library_name;            /**< e.g. "OwnCharge" */
    uint32_t strategy_count;
    const dab_strategy *const *strategies;
} dab_library;

/**
 * The entry point. `host_abi_major` is the host's DAB_ABI_MAJOR. A library that cannot serve it
 * returns NULL and sets `*refusal` to a static message (when `refusal` is not NULL). The returned
 * descriptor is static (see dab_library).
 */
typedef const dab_library *(*dab_entry_fn)(uint32_t host_abi_major, const char **refusal);

/**
 * True when a double carries a value (is not the NaN that means unknown).
 * It tests the bit pattern (NaN: exponent bits all ones, mantissa not zero) rather than
 * `value == value`, because -ffast-math lets the compiler assume no NaN exists and fold that
 * comparison to 1, which would let unknown values through as numbers. The bits alone are not
 * enough for Clang: under -ffast-math it marks every double parameter as never NaN and folds
 * the bit test too, so the bits pass through an empty asm it cannot see through.
 * __builtin_memcpy (GCC and Clang) keeps this header free of <string.h>.
 */
static inline int dab_is_known(double value) {
    uint64_t bits;
    __builtin_memcpy(&bits, &value, sizeof bits);
    __asm__("" : "+r"(bits));
    const uint64_t exponent = UINT64_C(0x7FF0000000000000);
    const uint64_t mantissa = UINT64_C(0x000FFFFFFFFFFFFF);
    return !((bits & exponent) == exponent && (bits & mantissa) != 0);
}

/** The smallest `struct_size` of a dab_library a host of this major version accepts: every field
 * up to and including `strategies`. (Later fields may be appended; a host reads none of them
 * from a library that declares a smaller size.) */
static inline size_t dab_library_size_read(void) {
    return offsetof(dab_library, strategies) + sizeof(((const dab_library *)0)->strategies);
}

/** The smallest `struct_size` of a dab_strategy a host of this major version accepts: every
 * field up to and including `destroy`. */
static inline size_t dab_strategy_size_read(void) {
    return offsetof(dab_strategy, destroy) + sizeof(((const dab_strategy *)0)->destroy);
}

#ifdef __cplusplus
}
#endif

#endif /* DAB_PLUGIN_H */
