/* The fixture spec (tests/fixtures/kitchen-sink.yaml, --prefix fx) and the
 * other generated sets: decode(encode(x)) == x for every model, each field
 * in every state it can take; plus the constructs whose round trip is
 * asymmetric by design (read-only, write-only, unknown members). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/CUnit.h>

#include <openrouter/openrouter.h>

#include "fx/fx.h"
#include "model_fill.h"
#include "round_trip.h"
#include "test_util.h"

#ifdef OR_WITH_UPSTREAM
#include "orup0414/orup0414.h"
#include "orup0822/orup0822.h"
#endif

/* Every model of a table: no failure, and every model checked. */
static void check_table(const char *set, const openrouter_object_desc *const *table, size_t n)
{
    round_trip_stats st = {0};
    CU_ASSERT_FATAL(n > 0);
    round_trip_table(set, table, n, NULL, &st);
    CU_ASSERT_EQUAL(st.failures, 0u);
    CU_ASSERT_EQUAL(st.models + st.unions, n);
}

static void test_round_trip_fixture(void) { check_table("fx", fx_model_table, fx_model_count); }

static void test_round_trip_main(void)
{
    check_table("openrouter", openrouter_model_table, openrouter_model_count);
}

#ifdef OR_WITH_UPSTREAM
static void test_round_trip_upstream(void)
{
    check_table("orup0414", orup0414_model_table, orup0414_model_count);
    check_table("orup0822", orup0822_model_table, orup0822_model_count);
}
#endif

/* The fill covers every field state the table allows. */
static void test_fill_covers_every_state(void)
{
    const openrouter_object_desc *d = &fx_thing_desc;
    for (size_t i = 0; i < d->n_fields; i++) {
        const openrouter_field_desc *fd = &d->fields[i];
        if (fd->flags & (OPENROUTER_F_READ_ONLY | OPENROUTER_F_WRITE_ONLY))
            continue;
        int seen[3] = {0, 0, 0};
        for (int variant = 0; variant < 3; variant++) {
            model_fill f = {0};
            fx_thing t = FX_THING_INIT;
            model_fill_object(&f, d, &t, variant);
            seen[*(const openrouter_presence *)((const char *)&t + fd->offset)]++;
            model_fill_release(&f);
        }
        CU_ASSERT(seen[OPENROUTER_PRESENT] > 0);
        CU_ASSERT_EQUAL(seen[OPENROUTER_ABSENT] > 0, !(fd->flags & OPENROUTER_F_REQUIRED));
        CU_ASSERT_EQUAL(seen[OPENROUTER_NULL] > 0, (fd->flags & OPENROUTER_F_NULLABLE) != 0);
    }
}

/* readOnly is decoded but never sent; writeOnly is sent but never decoded. */
static void test_read_only_and_write_only(void)
{
    static const char json[] = "{\"created_at\":\"2025-01-02T03:04:05Z\",\"revision\":3,"
                               "\"unknown_member\":[1,2],\"name\":\"n\",\"password\":\"hunter2\"}";
    openrouter_error err = OPENROUTER_ERROR_INIT;
    fx_audited *a = NULL;
    CU_ASSERT_EQUAL_FATAL(fx_audited_decode(json, sizeof json - 1, &a, &err), OPENROUTER_OK);
    CU_ASSERT_EQUAL(a->created_at.state, OPENROUTER_PRESENT);
    CU_ASSERT_EQUAL(a->revision.value, 3);
    char *out = NULL;
    size_t len = 0;
    CU_ASSERT_EQUAL_FATAL(fx_audited_encode(a, &out, &len, &err), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(out, "{}");
    openrouter_buffer_free(out);
    fx_audited_free(a);

    fx_new_thing *n = NULL;
    CU_ASSERT_EQUAL_FATAL(fx_new_thing_decode(json, sizeof json - 1, &n, &err), OPENROUTER_OK);
    CU_ASSERT_EQUAL(n->password.state, OPENROUTER_ABSENT);
    fx_new_thing_free(n);
    fx_new_thing body = FX_NEW_THING_INIT;
    body.name = OPENROUTER_STRING("n");
    body.password = OPENROUTER_STRING("hunter2");
    body.owner_id.state = OPENROUTER_NULL;
    CU_ASSERT_EQUAL_FATAL(fx_new_thing_encode(&body, &out, &len, &err), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(out, "{\"name\":\"n\",\"password\":\"hunter2\",\"owner_id\":null}");
    openrouter_buffer_free(out);
    openrouter_error_clear(&err);
}

/* Required, nullable and range limits from the spec are enforced on encode. */
static void test_limits_from_the_spec(void)
{
    openrouter_error err = OPENROUTER_ERROR_INIT;
    char *out = NULL;
    size_t len = 0;
    fx_owner o = FX_OWNER_INIT;
    CU_ASSERT_EQUAL(fx_owner_encode(&o, &out, &len, &err), OPENROUTER_EINVAL); /* id required */
    CU_ASSERT_STRING_EQUAL(err.field, "id");
    openrouter_error_clear(&err);
    o.id = OPENROUTER_INT64(1);
    o.name = OPENROUTER_STRING(""); /* minLength 1 */
    CU_ASSERT_EQUAL(fx_owner_encode(&o, &out, &len, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.field, "name");
    openrouter_error_clear(&err);
    o.name.state = OPENROUTER_NULL; /* not nullable */
    CU_ASSERT_EQUAL(fx_owner_encode(&o, &out, &len, &err), OPENROUTER_EINVAL);
    openrouter_error_clear(&err);
    o.name = OPENROUTER_STRING("ok");
    o.address.state = OPENROUTER_PRESENT;
    o.address.value.geo.state = OPENROUTER_PRESENT;
    o.address.value.geo.value.lat = OPENROUTER_NUMBER(91); /* maximum 90 */
    CU_ASSERT_EQUAL(fx_owner_encode(&o, &out, &len, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.field, "address.geo.lat");
    openrouter_error_clear(&err);
    o.address.value.geo.value.lat = OPENROUTER_NUMBER(-90);
    CU_ASSERT_EQUAL_FATAL(fx_owner_encode(&o, &out, &len, &err), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(out, "{\"id\":1,\"name\":\"ok\",\"address\":{\"geo\":{\"lat\":-90}}}");
    openrouter_buffer_free(out);
}

/* Operation tables: statuses, optional body, no-body responses. */
static void test_operation_tables(void)
{
    CU_ASSERT_EQUAL(fx_create_thing_operation.n_responses, 2u);
    CU_ASSERT_EQUAL(fx_create_thing_operation.responses[0].status, 200);
    CU_ASSERT_EQUAL(fx_create_thing_operation.responses[1].status, 201);
    CU_ASSERT_PTR_EQUAL(fx_create_thing_operation.responses[1].body, &fx_get_thing_response_desc);
    CU_ASSERT_EQUAL(fx_create_thing_operation.body_required, 0);
    CU_ASSERT_EQUAL(fx_replace_thing_operation.body_required, 1);
    CU_ASSERT_EQUAL(fx_replace_thing_operation.responses[1].status, 202);
    CU_ASSERT_PTR_NULL(fx_replace_thing_operation.responses[1].body);
    CU_ASSERT_EQUAL(fx_delete_thing_operation.n_responses, 1u);
    CU_ASSERT_PTR_NULL(fx_delete_thing_operation.responses[0].body);
    CU_ASSERT_EQUAL(fx_list_things_operation.n_params, 6u);
    CU_ASSERT_EQUAL(fx_list_things_operation.params[5].location, OPENROUTER_PARAM_HEADER);
    CU_ASSERT(fx_list_things_operation.params[5].flags & OPENROUTER_F_REQUIRED);
    CU_ASSERT(fx_list_things_operation.params[4].flags & OPENROUTER_F_DEPRECATED);
    /* int32 with minimum 1 and maximum 500 */
    CU_ASSERT_EQUAL(fx_list_things_operation.params[0].type->kind, OPENROUTER_KIND_INT32);
    CU_ASSERT_EQUAL(fx_list_things_operation.params[0].maximum, 500.0);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("generated models", NULL, NULL);
    CU_add_test(s, "round trip: every fixture model", test_round_trip_fixture);
    CU_add_test(s, "round trip: every model of spec/", test_round_trip_main);
#ifdef OR_WITH_UPSTREAM
    CU_add_test(s, "round trip: every upstream model", test_round_trip_upstream);
#endif
    CU_add_test(s, "the fill covers every state", test_fill_covers_every_state);
    CU_add_test(s, "read-only and write-only", test_read_only_and_write_only);
    CU_add_test(s, "limits from the spec", test_limits_from_the_spec);
    CU_add_test(s, "operation tables", test_operation_tables);
    return or_test_run();
}
