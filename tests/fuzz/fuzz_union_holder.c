/* libFuzzer target: un_holder (tests/fixtures/unions.yaml, --prefix un)
 * decode / encode round trip (fuzz_model.h): a discriminated union with a
 * mapping, one with an implicit discriminator and null items, unions by
 * JSON kind, arrays by first item, objects by required and const members,
 * merged enums, and an object's other members. run.sh generates the
 * fixture's code. */
#include "un/un.h"

#include "fuzz_model.h"

FUZZ_MODEL(un_holder)
