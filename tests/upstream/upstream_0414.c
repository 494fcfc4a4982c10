/* Upstream excerpt of 2026-04-14, generated with --prefix orup0414. The
 * compat build compiles this same file against the 2026-08-22 excerpt
 * generated with that prefix: old code, new API. */
#include "orup0414/orup0414.h"

#define P(x) orup0414_##x
#define PM(x) ORUP0414_##x
#ifndef UP_SUITE
#define UP_SUITE "upstream 2026-04-14"
#endif
#define UP_REGISTER upstream_0414_register
#include "upstream_ops.inc"
