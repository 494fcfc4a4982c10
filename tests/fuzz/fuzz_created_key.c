/* libFuzzer target: openrouter_created_key_decode / _encode round trip (fuzz_model.h). */
#include "fuzz_model.h"

FUZZ_MODEL(openrouter_created_key)
