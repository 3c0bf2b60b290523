/* Compile-time checks of the promises dab_plugin.h makes; the header itself has no code. */
#include "dab_plugin.h"

_Static_assert(offsetof(dab_host_services, struct_size) == 0, "struct_size comes first");
_Static_assert(offsetof(dab_battery_input, struct_size) == 0, "struct_size comes first");
_Static_assert(offsetof(dab_bank_input, struct_size) == 0, "struct_size comes first");
_Static_assert(offsetof(dab_charge_output, struct_size) == 0, "struct_size comes first");
_Static_assert(offsetof(dab_soc_output, struct_size) == 0, "struct_size comes first");
_Static_assert(offsetof(dab_tick_input, struct_size) == 0, "struct_size comes first");
_Static_assert(offsetof(dab_strategy, struct_size) == 0, "struct_size comes first");
_Static_assert(offsetof(dab_library, struct_size) == 0, "struct_size comes first");

/* Fixed sizes the Swift side and third-party plugins rely on. */
_Static_assert(sizeof(((dab_tick_input *)0)->struct_size) == 4, "struct_size is a uint32_t");
_Static_assert(sizeof(((dab_charge_output *)0)->limit_reason) == 128, "limit_reason is char[128]");
_Static_assert(sizeof(((dab_charge_output *)0)->strategy_state) == 128, "strategy_state is char[128]");
_Static_assert(sizeof(((dab_soc_output *)0)->strategy_state) == 128, "strategy_state is char[128]");
_Static_assert(DAB_KIND_CHARGE == 1 && DAB_KIND_SOC == 2, "kinds are part of the ABI");
_Static_assert(DAB_OK == 0 && DAB_ERR_INPUT == 1 && DAB_ERR_CONFIG == 2 && DAB_ERR_INTERNAL == 3,
               "return codes are part of the ABI");
_Static_assert(DAB_LOG_ERROR == 0 && DAB_LOG_DEBUG == 3, "log levels are part of the ABI");
_Static_assert(DAB_UNKNOWN_INT == -1, "unknown counts are -1");
