/* The slot types of the scalar kinds (declared in openrouter/descriptor.h).
 * They belong to the runtime, not to generated code, so tables generated
 * with different --prefix values link into one program. */
#include "openrouter/descriptor.h"

const openrouter_type_desc openrouter_string_type_desc = {
    .kind = OPENROUTER_KIND_STRING, .slot_size = sizeof(openrouter_string)};
const openrouter_type_desc openrouter_bool_type_desc = {
    .kind = OPENROUTER_KIND_BOOL, .slot_size = sizeof(openrouter_bool)};
const openrouter_type_desc openrouter_int32_type_desc = {
    .kind = OPENROUTER_KIND_INT32, .slot_size = sizeof(openrouter_int32)};
const openrouter_type_desc openrouter_int64_type_desc = {
    .kind = OPENROUTER_KIND_INT64, .slot_size = sizeof(openrouter_int64)};
const openrouter_type_desc openrouter_number_type_desc = {
    .kind = OPENROUTER_KIND_NUMBER, .slot_size = sizeof(openrouter_number)};
const openrouter_type_desc openrouter_datetime_type_desc = {
    .kind = OPENROUTER_KIND_DATETIME, .slot_size = sizeof(openrouter_datetime)};
const openrouter_type_desc openrouter_json_type_desc = {
    .kind = OPENROUTER_KIND_JSON, .slot_size = sizeof(openrouter_json)};
const openrouter_type_desc openrouter_file_type_desc = {
    .kind = OPENROUTER_KIND_FILE, .slot_size = sizeof(openrouter_file)};
