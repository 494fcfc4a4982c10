/* openrouter-c: unions (oneOf / anyOf). Which variant a JSON value is,
 * decided from the value itself before it is decoded (no trial decoding),
 * and what a variant must hold to be encoded. The rules are stated in
 * descriptor.h ("Unions") and generator/README.md; decode.c, encode.c and
 * equal_copy.c call these at their UNION slots.
 *
 * Selection reads ahead with a copy of the reader (the reader is a plain
 * position over (text, length)), so the real decode then starts at the
 * value as if nothing had happened. Ahead, nothing is reported: invalid
 * JSON just selects nothing, and the decode that follows reports it where
 * it is. Member names and tags compare after unescaping ("\u0074ype" is
 * "type"). */
#include <string.h>

#include "internal.h"

#define OR_JSON_ANY (OPENROUTER_JSON_STRING | OPENROUTER_JSON_NUMBER | OPENROUTER_JSON_INTEGER | \
                     OPENROUTER_JSON_BOOLEAN | OPENROUTER_JSON_ARRAY | OPENROUTER_JSON_OBJECT)

/* Longest member name or tag compared after unescaping; longer escaped
 * text names nothing a generated table lists. */
#define OR_UNION_TEXT_MAX 256

/* Whether the JSON string `js` of the reader's text equals `text`. */
static int str_is(const or_jr *r, const or_jr_str *js, const char *text)
{
    const char *raw = r->s + js->start;
    size_t n = strlen(text);
    if (!js->escaped)
        return js->len == n && memcmp(raw, text, n) == 0;
    char buf[OR_UNION_TEXT_MAX];
    if (js->len > sizeof buf)
        return 0;
    size_t m = or_jr_unescape(raw, js->len, buf);
    return m == n && memcmp(buf, text, n) == 0;
}

static int is_any(const openrouter_union_variant *v)
{
    return (v->json_kinds & OR_JSON_ANY) == OR_JSON_ANY;
}

/* Index + 1 of the first variant (not accepting anything, or only such)
 * whose json_kinds has `bit`; 0 if none. */
static size_t first_with(const openrouter_union_desc *ud, unsigned bit, int any)
{
    for (size_t i = 0; i < ud->n_variants; i++) {
        const openrouter_union_variant *v = &ud->variants[i];
        if ((v->json_kinds & bit) && is_any(v) == any)
            return i + 1;
    }
    return 0;
}

/* The JSON kind bit of the value the reader is at (a number is read to
 * tell an integer literal). */
static unsigned kind_bit(or_jr *r, or_jtok tok)
{
    or_jr_num num;
    switch (tok) {
    case OR_JT_STRING: return OPENROUTER_JSON_STRING;
    case OR_JT_TRUE:
    case OR_JT_FALSE: return OPENROUTER_JSON_BOOLEAN;
    case OR_JT_ARRAY: return OPENROUTER_JSON_ARRAY;
    case OR_JT_OBJECT: return OPENROUTER_JSON_OBJECT;
    case OR_JT_NUMBER:
        if (or_jr_number(r, &num) != 0)
            return 0;
        return num.is_int ? OPENROUTER_JSON_INTEGER : OPENROUTER_JSON_NUMBER;
    case OR_JT_NULL:
    case OR_JT_ERROR: break;
    }
    return 0;
}

/* An array: the first array variant whose item_kinds accept its first item;
 * an empty array, the first array variant. */
static size_t select_array(const openrouter_union_desc *ud, or_jr r)
{
    or_jr_begin(&r);
    unsigned item = 0;
    int more = or_jr_item(&r, 0);
    if (more < 0)
        return 0;
    if (more) {
        or_jtok tok = or_jr_peek(&r);
        item = kind_bit(&r, tok);
        if (!item)
            return 0;
    }
    for (size_t i = 0; i < ud->n_variants; i++) {
        const openrouter_union_variant *v = &ud->variants[i];
        if (!(v->json_kinds & OPENROUTER_JSON_ARRAY) || is_any(v))
            continue;
        unsigned accepts = v->item_kinds;
        if (accepts & OPENROUTER_JSON_NUMBER)
            accepts |= OPENROUTER_JSON_INTEGER;
        if (!item || (accepts & item))
            return i + 1;
    }
    return 0;
}

/* A discriminated object: the variant one of whose tags is the
 * discriminator member's string value (the last one, as decoding keeps the
 * last of duplicate members). */
static size_t select_tagged(const openrouter_union_desc *ud, or_jr r)
{
    or_jr_begin(&r);
    or_jr tag_at = r;
    int found = 0;
    for (size_t i = 0;; i++) {
        or_jr_str key;
        int more = or_jr_member(&r, i, &key);
        if (more <= 0) {
            if (more < 0)
                return 0;
            break;
        }
        if (str_is(&r, &key, ud->discriminator) && or_jr_peek(&r) == OR_JT_STRING) {
            tag_at = r;
            found = 1;
        }
        if (or_jr_skip(&r) != 0)
            return 0;
    }
    or_jr_str tag;
    if (!found || or_jr_string(&tag_at, &tag) != 0)
        return 0;
    for (size_t i = 0; i < ud->n_variants; i++) {
        const openrouter_union_variant *v = &ud->variants[i];
        for (size_t t = 0; t < v->n_tags; t++)
            if (str_is(&tag_at, &tag, v->tags[t]))
                return i + 1;
    }
    return 0;
}

/* How one object variant fares against the members read so far. Only the
 * first 64 required and const members are tracked; more are assumed
 * present (no generated variant comes close). */
typedef struct or_fit {
    uint64_t required; /* bit i: required[i] seen */
    uint64_t matched;  /* bit i: consts[i] seen with its value */
    int conflict;      /* a const member with another value */
} or_fit;

static uint64_t all_bits(size_t n)
{
    return n >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << n) - 1);
}

static int popcount64(uint64_t x)
{
    int n = 0;
    for (; x; x &= x - 1)
        n++;
    return n;
}

/* Records member `key` (its value next in `r`) for every variant. */
static void fit_member(const openrouter_union_desc *ud, const or_jr *r, const or_jr_str *key, or_fit *fits)
{
    for (size_t i = 0; i < ud->n_variants; i++) {
        const openrouter_union_variant *v = &ud->variants[i];
        for (size_t k = 0; k < v->n_required && k < 64; k++)
            if (str_is(r, key, v->required[k]))
                fits[i].required |= (uint64_t)1 << k;
        for (size_t k = 0; k < v->n_consts && k < 64; k++) {
            if (!str_is(r, key, v->consts[k].name))
                continue;
            or_jr value = *r;
            or_jr_str js;
            if (or_jr_peek(&value) == OR_JT_STRING && or_jr_string(&value, &js) == 0 &&
                str_is(&value, &js, v->consts[k].value))
                fits[i].matched |= (uint64_t)1 << k;
            else
                fits[i].conflict = 1;
        }
    }
}

/* An object without a discriminator: the eligible variant with the most
 * const members matched, then the most required members, then the first. */
static size_t select_fitting(const openrouter_union_desc *ud, or_jr r, or_fit *fits)
{
    or_jr_begin(&r);
    for (size_t i = 0;; i++) {
        or_jr_str key;
        int more = or_jr_member(&r, i, &key);
        if (more < 0)
            return 0;
        if (!more)
            break;
        fit_member(ud, &r, &key, fits);
        if (or_jr_skip(&r) != 0)
            return 0;
    }
    size_t best = 0;
    int best_consts = -1, best_required = -1;
    for (size_t i = 0; i < ud->n_variants; i++) {
        const openrouter_union_variant *v = &ud->variants[i];
        if (!(v->json_kinds & OPENROUTER_JSON_OBJECT) || is_any(v) || fits[i].conflict ||
            fits[i].required != all_bits(v->n_required))
            continue;
        int consts = popcount64(fits[i].matched), required = (int)v->n_required;
        if (consts > best_consts || (consts == best_consts && required > best_required)) {
            best = i + 1;
            best_consts = consts;
            best_required = required;
        }
    }
    return best;
}

/* Selection runs before the chosen variant is decoded, so only one of
 * these frames is ever live: a generous stack array costs little. */
#define OR_FITS_ON_STACK 128

static size_t select_object(const openrouter_union_desc *ud, const or_jr *r)
{
    if (ud->discriminator)
        return select_tagged(ud, *r);
    or_fit stack_fits[OR_FITS_ON_STACK];
    or_fit *fits = stack_fits;
    if (ud->n_variants > OR_FITS_ON_STACK && !(fits = or_calloc(ud->n_variants, sizeof *fits)))
        return OR_UNION_NOMEM;
    if (fits == stack_fits)
        memset(stack_fits, 0, sizeof stack_fits);
    size_t k = select_fitting(ud, *r, fits);
    if (fits != stack_fits)
        or_free(fits);
    return k ? k : first_with(ud, OPENROUTER_JSON_OBJECT, 1);
}

size_t or_union_select(const openrouter_union_desc *ud, const or_jr *r, or_jtok tok)
{
    if (!ud || tok == OR_JT_NULL || tok == OR_JT_ERROR)
        return 0;
    if (tok == OR_JT_OBJECT)
        return select_object(ud, r);
    if (tok == OR_JT_ARRAY) {
        size_t k = select_array(ud, *r);
        return k ? k : first_with(ud, OPENROUTER_JSON_ARRAY, 1);
    }
    or_jr ahead = *r;
    unsigned bit = kind_bit(&ahead, tok);
    size_t k = first_with(ud, bit, 0);
    if (!k && bit == OPENROUTER_JSON_INTEGER)
        k = first_with(ud, OPENROUTER_JSON_NUMBER, 0);
    else if (!k && bit == OPENROUTER_JSON_NUMBER)
        k = first_with(ud, OPENROUTER_JSON_INTEGER, 0);
    return k ? k : bit ? first_with(ud, bit, 1) : 0;
}

/* ---- encoding ------------------------------------------------------------------ */

int or_union_has_integer(const openrouter_union_desc *ud)
{
    return first_with(ud, OPENROUTER_JSON_INTEGER, 0) != 0;
}

/* The discriminator field of an object variant, or NULL. */
static const openrouter_field_desc *tag_field(const openrouter_union_desc *ud, const openrouter_union_variant *v)
{
    const openrouter_object_desc *od = v->type->object;
    for (size_t i = 0; od && i < od->n_fields; i++)
        if (strcmp(od->fields[i].json_name, ud->discriminator) == 0)
            return &od->fields[i];
    return NULL;
}

static int has_tag(const openrouter_union_variant *v, const char *text)
{
    for (size_t t = 0; text && t < v->n_tags; t++)
        if (strcmp(v->tags[t], text) == 0)
            return 1;
    return 0;
}

int or_union_encode_check(const openrouter_union_desc *ud, const char *u, const or_path *p,
                          const openrouter_union_variant **variant, const char **tag, openrouter_error *error)
{
    int kind = or_union_kind(u);
    *variant = NULL;
    *tag = NULL;
    if (kind < 0 || (size_t)kind > ud->n_variants)
        return or_path_error(error, OPENROUTER_EINVAL, p, "union kind %d out of range", kind);
    if (kind == 0)
        return 0;
    const openrouter_union_variant *v = &ud->variants[kind - 1];
    *variant = v;
    if (!ud->discriminator || !v->n_tags || v->type->kind != OPENROUTER_KIND_OBJECT)
        return 0;
    const openrouter_field_desc *f = tag_field(ud, v);
    const char *slot = u + ud->value_offset + (f ? f->offset : 0);
    openrouter_presence st = f ? or_wrapper_state(slot) : OPENROUTER_ABSENT;
    if (st == OPENROUTER_ABSENT) { /* the kind says it: written for the caller */
        *tag = v->tags[0];
        return 0;
    }
    const char *text = NULL;
    if (st == OPENROUTER_PRESENT && f->type->kind == OPENROUTER_KIND_ENUM) {
        openrouter_error ignored = OPENROUTER_ERROR_INIT;
        text = or_enum_text(&ignored, p, f->type, (const openrouter_enum_value *)slot);
    } else if (st == OPENROUTER_PRESENT && f->type->kind == OPENROUTER_KIND_STRING) {
        text = ((const openrouter_string *)slot)->value;
    }
    if (!has_tag(v, text))
        return or_path_error(error, OPENROUTER_EINVAL, p,
                             "member \"%s\" of variant %s does not hold one of its discriminator values "
                             "(leave it absent: the kind sets it)",
                             ud->discriminator, v->name);
    return 0;
}
