/*
 * FixedLimits: a charge strategy in plain C, built against dab_plugin.h alone.
 * CVL, CCL and DCL come straight from the config keys FIXED_CVL, FIXED_CCL and FIXED_DCL.
 *
 * Build: make (see the Makefile), or
 *   cc -shared -fPIC -fvisibility=hidden -O2 -Wall -Wextra -I Sources/PluginAPI/include \
 *      -o libFixedLimits.so Examples/FixedLimits/fixed_limits.c
 */
#include <dab_plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One instance: the three limits, read once at create. */
typedef struct fixed_limits {
    double charge_voltage_limit_v;
    double charge_current_limit_a;
    double discharge_current_limit_a;
} fixed_limits;

static const dab_config_key fixed_limits_keys[] = {
    {"FIXED_CVL", "55.2", "charge voltage limit of the bank, V"},
    {"FIXED_CCL", "50", "charge current limit of the bank, A"},
    {"FIXED_DCL", "100", "discharge current limit of the bank, A"},
};

static void write_error(dab_error_buffer error, const char *message) {
    if (error.text != NULL && error.capacity > 0) {
        snprintf(error.text, error.capacity, "%s", message);
    }
}

/* Reads one key as a number >= 0; on a bad value reports it and returns 0 (failure). */
static int read_limit(const dab_host_services *host, const dab_config_key *key, double *out) {
    const char *text = NULL;
    if (DAB_HAS_FIELD(host, dab_host_services, config_get) && host->config_get != NULL) {
        text = host->config_get(host->host_context, key->name);
    }
    if (text == NULL) {
        text = key->default_value;
    }
    char *end = NULL;
    double value = strtod(text, &end);
    while (end != NULL && (*end == ' ' || *end == '\t')) {
        end++;
    }
    if (end == text || end == NULL || *end != '\0' || !dab_is_known(value) || value < 0) {
        if (DAB_HAS_FIELD(host, dab_host_services, config_error) && host->config_error != NULL) {
            host->config_error(host->host_context, key->name, "must be a number >= 0");
        }
        return 0;
    }
    *out = value;
    return 1;
}

static int32_t fixed_limits_create(const dab_host_services *host, void **instance, dab_error_buffer error) {
    if (host == NULL || instance == NULL) {
        write_error(error, "FixedLimits: create needs host services");
        return DAB_ERR_INTERNAL;
    }
    fixed_limits limits;
    int ok = read_limit(host, &fixed_limits_keys[0], &limits.charge_voltage_limit_v);
    ok &= read_limit(host, &fixed_limits_keys[1], &limits.charge_current_limit_a);
    ok &= read_limit(host, &fixed_limits_keys[2], &limits.discharge_current_limit_a);
    if (!ok) {
        write_error(error, "FixedLimits: unusable FIXED_CVL, FIXED_CCL or FIXED_DCL");
        return DAB_ERR_CONFIG;
    }
    fixed_limits *made = malloc(sizeof *made);
    if (made == NULL) {
        write_error(error, "FixedLimits: out of memory");
        return DAB_ERR_INTERNAL;
    }
    *made = limits;
    if (DAB_HAS_FIELD(host, dab_host_services, log) && host->log != NULL) {
        char line[128];
        snprintf(line, sizeof line, "fixed limits: CVL %.2f V, CCL %.1f A, DCL %.1f A",
                 limits.charge_voltage_limit_v, limits.charge_current_limit_a,
                 limits.discharge_current_limit_a);
        host->log(host->host_context, DAB_LOG_INFO, line);
    }
    *instance = made;
    return DAB_OK;
}

static int32_t fixed_limits_tick(void *instance, const dab_tick_input *input, dab_charge_output *output,
                                 dab_error_buffer error) {
    (void)input;
    if (instance == NULL || output == NULL) {
        write_error(error, "FixedLimits: tick without instance or output");
        return DAB_ERR_INTERNAL;
    }
    const fixed_limits *limits = instance;
    /* The host sized `output`; write only fields it knows. All of ABI 1.0 is known here. */
    if (!DAB_HAS_FIELD(output, dab_charge_output, strategy_state)) {
        write_error(error, "FixedLimits: output struct too small");
        return DAB_ERR_INTERNAL;
    }
    output->charge_voltage_limit_v = limits->charge_voltage_limit_v;
    output->charge_current_limit_a = limits->charge_current_limit_a;
    output->discharge_current_limit_a = limits->discharge_current_limit_a;
    output->request_feed_in_off = 0;
    output->hint_bank_full = -1;
    output->hint_bank_empty = -1;
    snprintf(output->limit_reason, sizeof output->limit_reason, "fixed limits from FIXED_CVL/CCL/DCL");
    snprintf(output->strategy_state, sizeof output->strategy_state, "fixed");
    return DAB_OK;
}

static void fixed_limits_destroy(void *instance) { free(instance); }

static const dab_strategy fixed_limits_strategy = {
    .struct_size = sizeof(dab_strategy),
    .kind = DAB_KIND_CHARGE,
    .name = "FixedLimits",
    .version = "1.0.0",
    .description = "CVL, CCL and DCL fixed by config (an example in plain C)",
    .config_key_count = sizeof fixed_limits_keys / sizeof fixed_limits_keys[0],
    .config_keys = fixed_limits_keys,
    .create = fixed_limits_create,
    .tick_charge = fixed_limits_tick,
    .tick_soc = NULL,
    .destroy = fixed_limits_destroy,
};

static const dab_strategy *const fixed_limits_strategies[] = {&fixed_limits_strategy};

static const dab_library fixed_limits_library = {
    .struct_size = sizeof(dab_library),
    .abi_major = DAB_ABI_MAJOR,
    .abi_minor = DAB_ABI_MINOR,
    .library_name = "FixedLimits",
    .strategy_count = 1,
    .strategies = fixed_limits_strategies,
};

/* The one exported symbol; everything else is hidden (built with -fvisibility=hidden). */
__attribute__((visibility("default")))
const dab_library *dab_plugin_entry(uint32_t host_abi_major, const char **refusal) {
    if (host_abi_major != DAB_ABI_MAJOR) {
        if (refusal != NULL) {
            *refusal = "FixedLimits is built for plugin ABI major 1 only";
        }
        return NULL;
    }
    return &fixed_limits_library;
}
