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
