/* libFuzzer target: openrouter_delete_key_response_decode / _encode round trip (fuzz_model.h). */
#include "fuzz_model.h"

FUZZ_MODEL(openrouter_delete_key_response)
