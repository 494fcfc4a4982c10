/* libFuzzer target: openrouter_current_key_response_decode / _encode round trip (fuzz_model.h). */
#include "fuzz_model.h"

FUZZ_MODEL(openrouter_current_key_response)
