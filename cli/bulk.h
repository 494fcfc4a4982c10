/* openrouter-keys: create --from FILE and update --from FILE (docs/BULK.md). */
#ifndef OPENROUTER_KEYS_BULK_H
#define OPENROUTER_KEYS_BULK_H

#include <openrouter/openrouter.h>

#include "cli_args.h"

/* Most calls in flight at once (--concurrency), and the default. */
#define BULK_MAX_CONCURRENCY 64
#define BULK_DEFAULT_CONCURRENCY 4

/* Runs a bulk command; returns the exit status (cli_args.h; 130 when
 * interrupted). */
int bulk_main(openrouter_client *client, const cli_args *a);

#endif
