/*
 * CoulombSoC: a state-of-charge strategy in plain C, built against dab_plugin.h alone.
 *
 * It counts coulombs: the bank current (A, + = charging) times the time step, charge scaled by
 * COULOMB_SOC_EFFICIENCY, added to a counter in Ah held between 0 and the bank's installed
 * capacity. The counter starts from the stored value "coulombsoc_ah", or from the BMSes' SoC
 * when nothing usable is stored, and is reset to full or empty when the charge strategy of the
 * same tick says the bank is full or empty.
 *
 * While packs are missing (batteries_online < batteries_expected) it keeps counting against the
 * whole bank's capacity as last seen, and neither resets, rescales nor saves: a partial bank's
 * capacity and hints describe only the packs online.
 *
 * Build: make (see the Makefile), or
 *   cc -shared -fPIC -fvisibility=hidden -O2 -Wall -Wextra -I Sources/PluginAPI/include \
 *      -o libCoulombSoC.so Examples/CoulombSoC/coulomb_soc.c
 */
#include <dab_plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STATE_KEY "coulombsoc_ah"
/* Values past these are no bank's: they are refused, so that an infinity cannot reach the
 * output (-ffast-math builds cannot test for infinity reliably, comparisons still work). */
#define MAX_PLAUSIBLE_AH 1e6
#define MAX_PLAUSIBLE_A 1e6
#define MAX_PLAUSIBLE_STEP_S 1e9
/* Seconds of ticks between two saves: the state lives on flash. */
#define SAVE_PERIOD_S 60.0
/* A smaller discharge current is taken as rest: no shunt resolves it, and the time to go it
 * gives would be meaningless (or, near 0 A, infinite). */
#define MIN_DISCHARGE_A 0.01

typedef struct coulomb_soc {
    const dab_host_services *host; /* valid until destroy() returns */
    double efficiency;             /* share of the charge current that is stored, 0.5..1 */
    double counter_ah;             /* charge in the bank, Ah; unknown until the first good tick */
    double whole_capacity_ah;      /* installed capacity at the last tick with every pack; unknown before */
    double seconds_since_save;
    int last_tick_whole;           /* the last tick saw every expected pack: saving is allowed */
    char saved[64];                /* the text last stored, so an unchanged counter is not rewritten */
} coulomb_soc;

static const dab_config_key coulomb_soc_keys[] = {
    {"COULOMB_SOC_EFFICIENCY", "0.99", "share of the charge current stored in the bank, 0.5 to 1"},
};

static void write_error(dab_error_buffer error, const char *message) {
    if (error.text != NULL && error.capacity > 0) {
        snprintf(error.text, error.capacity, "CoulombSoC: %s", message);
    }
}

static void host_log(const coulomb_soc *soc, int32_t level, const char *message) {
    if (DAB_HAS_FIELD(soc->host, dab_host_services, log) && soc->host->log != NULL) {
        soc->host->log(soc->host->host_context, level, message);
    }
}

/* Parses a whole string as a double; 0 when it is not one (trailing blanks allowed). */
static int parse_number(const char *text, double *out) {
    if (text == NULL) {
        return 0;
    }
    char *end = NULL;
    double value = strtod(text, &end);
    if (end == text) {
        return 0;
    }
    while (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r') {
        end++;
    }
    if (*end != '\0' || !dab_is_known(value)) {
        return 0;
    }
    *out = value;
    return 1;
}

static int read_efficiency(const dab_host_services *host, double *out) {
    const dab_config_key *key = &coulomb_soc_keys[0];
    const char *text = NULL;
    if (DAB_HAS_FIELD(host, dab_host_services, config_get) && host->config_get != NULL) {
        text = host->config_get(host->host_context, key->name);
    }
    if (text == NULL) {
        text = key->default_value;
    }
    double value = 0;
    if (!parse_number(text, &value) || value < 0.5 || value > 1.0) {
        if (DAB_HAS_FIELD(host, dab_host_services, config_error) && host->config_error != NULL) {
            host->config_error(host->host_context, key->name, "must be a number between 0.5 and 1");
        }
        return 0;
    }
    *out = value;
    return 1;
}

static void report_corrupt(const dab_host_services *host, const char *reason) {
    if (DAB_HAS_FIELD(host, dab_host_services, state_corrupt) && host->state_corrupt != NULL) {
        host->state_corrupt(host->host_context, STATE_KEY, reason);
    }
}

/* The stored counter in Ah, or unknown when nothing usable is stored (a bad one is reported). */
static double read_stored_counter(const dab_host_services *host) {
    if (!DAB_HAS_FIELD(host, dab_host_services, state_read) || host->state_read == NULL) {
        return DAB_UNKNOWN;
    }
    char buffer[64];
    int32_t length = host->state_read(host->host_context, STATE_KEY, buffer, sizeof buffer);
    if (length == -1) {
        return DAB_UNKNOWN; /* nothing stored yet */
    }
    if (length == -2) {
        report_corrupt(host, "unreadable");
        return DAB_UNKNOWN;
    }
    if (length < 0 || (uint32_t)length >= sizeof buffer) {
        report_corrupt(host, "longer than a counter in Ah can be");
        return DAB_UNKNOWN;
    }
    buffer[length] = '\0';
    double value = 0;
    if (!parse_number(buffer, &value) || value < 0 || value > MAX_PLAUSIBLE_AH) {
        report_corrupt(host, "not a number of Ah between 0 and 1e6");
        return DAB_UNKNOWN;
    }
    return value;
}

/* Stores the counter if it changed since the last save. */
static void save(coulomb_soc *soc) {
    if (!dab_is_known(soc->counter_ah)) {
        return;
    }
    char text[64];
    snprintf(text, sizeof text, "%.3f", soc->counter_ah);
    soc->seconds_since_save = 0;
    if (strcmp(text, soc->saved) == 0) {
        return;
    }
    if (DAB_HAS_FIELD(soc->host, dab_host_services, state_write) && soc->host->state_write != NULL &&
        soc->host->state_write(soc->host->host_context, STATE_KEY, text) == DAB_OK) {
        memcpy(soc->saved, text, sizeof soc->saved);
    }
}

static int32_t coulomb_soc_create(const dab_host_services *host, void **instance, dab_error_buffer error) {
    if (host == NULL || instance == NULL) {
        write_error(error, "create needs host services");
        return DAB_ERR_INTERNAL;
    }
    double efficiency = 0;
    if (!read_efficiency(host, &efficiency)) {
        write_error(error, "COULOMB_SOC_EFFICIENCY must be a number between 0.5 and 1");
        return DAB_ERR_CONFIG;
    }
    coulomb_soc *soc = calloc(1, sizeof *soc);
    if (soc == NULL) {
        write_error(error, "out of memory");
        return DAB_ERR_INTERNAL;
    }
    soc->host = host;
    soc->efficiency = efficiency;
    soc->counter_ah = read_stored_counter(host);
    soc->whole_capacity_ah = DAB_UNKNOWN;
    if (dab_is_known(soc->counter_ah)) {
        snprintf(soc->saved, sizeof soc->saved, "%.3f", soc->counter_ah);
    }
    char line[128];
    if (dab_is_known(soc->counter_ah)) {
        snprintf(line, sizeof line, "starting from the stored counter, %.3f Ah", soc->counter_ah);
    } else {
        snprintf(line, sizeof line, "no stored counter: starting from the BMSes' SoC");
    }
    host_log(soc, DAB_LOG_INFO, line);
    *instance = soc;
    return DAB_OK;
}

static int32_t coulomb_soc_tick(void *instance, const dab_tick_input *input, dab_soc_output *output,
                                dab_error_buffer error) {
    coulomb_soc *soc = instance;
    if (soc == NULL || output == NULL || !DAB_HAS_FIELD(output, dab_soc_output, strategy_state)) {
        write_error(error, "tick without instance or with a short output");
        return DAB_ERR_INTERNAL;
    }
    if (input == NULL || !DAB_HAS_FIELD(input, dab_tick_input, charge) || input->bank == NULL ||
        !DAB_HAS_FIELD(input->bank, dab_bank_input, bms_soc_percent)) {
        write_error(error, "tick without a bank");
        return DAB_ERR_INPUT;
    }
    const dab_bank_input *bank = input->bank;
    const double current = bank->current_a;
    const double installed = bank->installed_capacity_ah;
    const double step = input->time_step_s;
    if (!dab_is_known(current) || current > MAX_PLAUSIBLE_A || current < -MAX_PLAUSIBLE_A) {
        write_error(error, "bank current unknown or implausible");
        return DAB_ERR_INPUT;
    }
    if (!dab_is_known(installed) || installed <= 0 || installed > MAX_PLAUSIBLE_AH) {
        write_error(error, "installed capacity unknown, not positive or implausible");
        return DAB_ERR_INPUT;
    }
    if (!dab_is_known(step) || step < 0 || step > MAX_PLAUSIBLE_STEP_S) {
        write_error(error, "time step unknown or negative");
        return DAB_ERR_INPUT;
    }
    const int whole = input->batteries_online >= input->batteries_expected;

    /* The capacity counted against. Whole bank: its installed capacity. Packs missing: the last
     * whole bank's, or before one was seen an estimate from the packs online (as if all were
     * alike), which the counter is not clamped to: that would cut a stored count down to the
     * part online. */
    double capacity;
    int capacity_estimated = 0;
    if (whole) {
        capacity = installed;
        soc->whole_capacity_ah = installed;
    } else if (dab_is_known(soc->whole_capacity_ah)) {
        capacity = soc->whole_capacity_ah;
    } else {
        capacity = input->batteries_online > 0
                       ? installed * input->batteries_expected / input->batteries_online
                       : installed;
        capacity_estimated = 1;
    }

    if (!dab_is_known(soc->counter_ah)) {
        const double bms_soc = bank->bms_soc_percent;
        if (!dab_is_known(bms_soc)) {
            write_error(error, "no stored counter and the BMSes' SoC is unknown");
            return DAB_ERR_INPUT;
        }
        soc->counter_ah = capacity * (bms_soc < 0 ? 0 : bms_soc > 100 ? 100 : bms_soc) / 100.0;
    }

    const double gain = current > 0 ? soc->efficiency : 1.0;
    soc->counter_ah += current * gain * step / 3600.0;

    /* The hints describe the packs online only: used only when they are the whole bank. */
    const dab_charge_output *charge = input->charge;
    if (whole && charge != NULL && DAB_HAS_FIELD(charge, dab_charge_output, hint_bank_empty)) {
        if (charge->hint_bank_full == 1) {
            soc->counter_ah = capacity;
        } else if (charge->hint_bank_empty == 1) {
            soc->counter_ah = 0;
        }
    }
    if (!capacity_estimated && soc->counter_ah > capacity) {
        soc->counter_ah = capacity;
    }
    if (soc->counter_ah > MAX_PLAUSIBLE_AH) {
        soc->counter_ah = MAX_PLAUSIBLE_AH;
    }
    if (!(soc->counter_ah > 0)) { /* also turns -0 into 0 */
        soc->counter_ah = 0;
    }

    soc->last_tick_whole = whole;
    if (whole) {
        soc->seconds_since_save += step;
        if (soc->seconds_since_save >= SAVE_PERIOD_S) {
            save(soc);
        }
    }

    /* Over an estimated capacity the counter may exceed it: SoC stays at most 100 %. */
    const double held = soc->counter_ah > capacity ? capacity : soc->counter_ah;
    output->soc_percent = held / capacity * 100.0;
    output->capacity_ah = held;
    output->consumed_ah = held - capacity;
    output->time_to_go_s = current <= -MIN_DISCHARGE_A ? held / -current * 3600.0 : DAB_UNKNOWN;
    snprintf(output->strategy_state, sizeof output->strategy_state, "counter %.3f Ah%s",
             soc->counter_ah, whole ? "" : " (packs missing: not saved)");
    return DAB_OK;
}

static void coulomb_soc_destroy(void *instance) {
    coulomb_soc *soc = instance;
    if (soc == NULL) {
        return;
    }
    if (soc->last_tick_whole) {
        save(soc);
    }
    free(soc);
}

static const dab_strategy coulomb_soc_strategy = {
    .struct_size = sizeof(dab_strategy),
    .kind = DAB_KIND_SOC,
    .name = "CoulombSoC",
    .version = "1.0.0",
    .description = "state of charge by counting the bank current (an example in plain C)",
    .config_key_count = sizeof coulomb_soc_keys / sizeof coulomb_soc_keys[0],
    .config_keys = coulomb_soc_keys,
    .create = coulomb_soc_create,
    .tick_charge = NULL,
    .tick_soc = coulomb_soc_tick,
    .destroy = coulomb_soc_destroy,
};

static const dab_strategy *const coulomb_soc_strategies[] = {&coulomb_soc_strategy};

static const dab_library coulomb_soc_library = {
    .struct_size = sizeof(dab_library),
    .abi_major = DAB_ABI_MAJOR,
    .abi_minor = DAB_ABI_MINOR,
    .library_name = "CoulombSoC",
    .strategy_count = 1,
    .strategies = coulomb_soc_strategies,
};

/* The one exported symbol; everything else is hidden (built with -fvisibility=hidden). */
__attribute__((visibility("default")))
const dab_library *dab_plugin_entry(uint32_t host_abi_major, const char **refusal) {
    if (host_abi_major != DAB_ABI_MAJOR) {
        if (refusal != NULL) {
            *refusal = "CoulombSoC is built for plugin ABI major 1 only";
        }
        return NULL;
    }
    return &coulomb_soc_library;
}
