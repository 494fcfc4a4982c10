/* Success bodies that are not JSON (tests/fixtures/bodies.yaml, --prefix
 * bd) against the stand-in server: audio and application/octet-stream come
 * back as openrouter_bytes with their Content-Type, byte for byte, or go to
 * a caller's sink piece by piece; the response size limit applies to both;
 * error bodies are still read as JSON errors. And multipart/form-data
 * request bodies, checked part by part by the stand-in's echo. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/CUnit.h>
#include <json-c/json.h>

#include "bd/bd.h"
#include "stub_server.h"
#include "test_util.h"

#define AUDIO_MAGIC "OR-AUDIO\0"
#define AUDIO_MAGIC_LEN 9
#define VIDEO_BYTES (256u * 1024u)

static stub_server srv;

static int suite_init(void) { return stub_start(&srv, 0); }
static int suite_clean(void) { stub_stop(&srv); return 0; }

static openrouter_client *client_with_limit(size_t max_response_bytes)
{
    openrouter_client_options o = OPENROUTER_CLIENT_OPTIONS_INIT;
    o.api_key = STUB_NORMAL_KEY;
    o.base_url = srv.base_url;
    o.retry.max_attempts = 1;
    o.max_response_bytes = max_response_bytes;
    openrouter_client *c = NULL;
    openrouter_error err = OPENROUTER_ERROR_INIT;
    CU_ASSERT_EQUAL_FATAL(openrouter_client_new(&c, &o, &err), OPENROUTER_OK);
    openrouter_error_clear(&err);
    return c;
}

/* The last request's header `name` as the server saw it (lower-case). */
static int last_header_is(const char *name, const char *want)
{
    json_object *root = stub_requests(&srv), *list = NULL, *h = NULL, *v = NULL;
    int ok = 0;
    if (root && json_object_object_get_ex(root, "requests", &list) && json_object_array_length(list) > 0) {
        json_object *last = json_object_array_get_idx(list, json_object_array_length(list) - 1);
        ok = json_object_object_get_ex(last, "headers", &h) && json_object_object_get_ex(h, name, &v) &&
             strcmp(json_object_get_string(v), want) == 0;
    }
    json_object_put(root);
    return ok;
}

static void test_audio_bytes(void)
{
    openrouter_client *c = client_with_limit(0);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    bd_create_speech_request req = BD_CREATE_SPEECH_REQUEST_INIT;
    req.body.input = OPENROUTER_STRING("héllo");
    req.body.response_format.state = OPENROUTER_PRESENT;
    req.body.response_format.value = BD_CREATE_SPEECH_BODY_RESPONSE_FORMAT_PCM;
    openrouter_bytes *audio = NULL;
    CU_ASSERT_EQUAL_FATAL(bd_create_speech(c, &req, &audio, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(audio->content_type, "audio/pcm");
    size_t text = strlen("héllo");
    CU_ASSERT_EQUAL_FATAL(audio->size, AUDIO_MAGIC_LEN + text + 256u);
    CU_ASSERT_EQUAL(memcmp(audio->data, AUDIO_MAGIC, AUDIO_MAGIC_LEN), 0);
    CU_ASSERT_EQUAL(memcmp(audio->data + AUDIO_MAGIC_LEN, "héllo", text), 0);
    for (unsigned i = 0; i < 256; i++)
        CU_ASSERT_EQUAL_FATAL(audio->data[AUDIO_MAGIC_LEN + text + i], i);
    CU_ASSERT_EQUAL(audio->data[audio->size], 0);
    openrouter_bytes_free(audio);
    /* Accept names the spec's media type, and JSON for errors. */
    CU_ASSERT(last_header_is("accept", "audio/*, application/json"));

    /* A documented error is still a JSON error, not bytes. */
    bd_create_speech_request bad = BD_CREATE_SPEECH_REQUEST_INIT;
    bad.body.input = OPENROUTER_STRING("");
    CU_ASSERT_EQUAL(bd_create_speech(c, &bad, &audio, NULL, &err), OPENROUTER_EHTTP);
    CU_ASSERT_PTR_NULL(audio);
    CU_ASSERT_EQUAL(err.http_status, 400);
    CU_ASSERT_PTR_NOT_NULL_FATAL(err.api_message);
    CU_ASSERT_STRING_EQUAL(err.api_message, "input must be a non-empty string");
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

typedef struct sink_state {
    size_t total;
    size_t calls;
    size_t stop_after; /* stop once this many bytes came; 0: never */
    int wrong_byte;
    char content_type[64];
} sink_state;

static int count_sink(void *ctx, const void *data, size_t len, const char *content_type)
{
    sink_state *s = ctx;
    const unsigned char *p = data;
    for (size_t i = 0; i < len; i++)
        if (p[i] != (unsigned char)((s->total + i) & 0xff))
            s->wrong_byte = 1;
    s->total += len;
    s->calls++;
    snprintf(s->content_type, sizeof s->content_type, "%s", content_type);
    return s->stop_after && s->total >= s->stop_after;
}

static void test_video_bytes_and_sink(void)
{
    openrouter_client *c = client_with_limit(0);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    bd_get_video_content_request req = BD_GET_VIDEO_CONTENT_REQUEST_INIT;
    req.job_id = "job-1";
    openrouter_bytes *video = NULL;
    CU_ASSERT_EQUAL_FATAL(bd_get_video_content(c, &req, &video, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_EQUAL(video->size, VIDEO_BYTES);
    CU_ASSERT_STRING_EQUAL(video->content_type, "application/octet-stream");
    CU_ASSERT_EQUAL(video->data[VIDEO_BYTES - 1], 255);
    openrouter_bytes_free(video);
    CU_ASSERT(last_header_is("accept", "application/octet-stream, application/json"));

    /* The same body through a sink: every byte, in order, in pieces. */
    sink_state st = {0};
    openrouter_body_sink sink = {count_sink, &st};
    CU_ASSERT_EQUAL_FATAL(bd_get_video_content_to_sink(c, &req, &sink, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_EQUAL(st.total, VIDEO_BYTES);
    CU_ASSERT(st.calls > 1);
    CU_ASSERT_FALSE(st.wrong_byte);
    CU_ASSERT_STRING_EQUAL(st.content_type, "application/octet-stream");

    /* A sink that stops: the call fails, saying so, and is not retried. */
    sink_state stop = {.stop_after = 1};
    openrouter_body_sink stopper = {count_sink, &stop};
    CU_ASSERT_EQUAL(bd_get_video_content_to_sink(c, &req, &stopper, NULL, &err), OPENROUTER_ETRANSPORT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "the body sink stopped the transfer"));
    CU_ASSERT_EQUAL(err.attempts, 1);
    CU_ASSERT(stop.total < VIDEO_BYTES);

    /* An error status goes to the error, never to the sink. */
    sink_state none = {0};
    openrouter_body_sink quiet = {count_sink, &none};
    bd_get_video_content_request missing = BD_GET_VIDEO_CONTENT_REQUEST_INIT;
    missing.job_id = "missing";
    CU_ASSERT_EQUAL(bd_get_video_content_to_sink(c, &missing, &quiet, NULL, &err), OPENROUTER_EHTTP);
    CU_ASSERT_EQUAL(err.http_status, 404);
    CU_ASSERT_EQUAL(none.calls, 0u);

    /* No write function: refused before anything is sent. */
    openrouter_body_sink empty = {NULL, NULL};
    CU_ASSERT_EQUAL(bd_get_video_content_to_sink(c, &req, &empty, NULL, &err), OPENROUTER_EINVAL);
    CU_ASSERT_EQUAL(bd_get_video_content_to_sink(c, &req, NULL, NULL, &err), OPENROUTER_EINVAL);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

static void test_size_limit(void)
{
    /* The client's max_response_bytes bounds bytes and sinks alike. */
    openrouter_client *c = client_with_limit(VIDEO_BYTES / 2);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    bd_get_video_content_request req = BD_GET_VIDEO_CONTENT_REQUEST_INIT;
    req.job_id = "job-2";
    openrouter_bytes *video = NULL;
    CU_ASSERT_EQUAL(bd_get_video_content(c, &req, &video, NULL, &err), OPENROUTER_ETRANSPORT);
    CU_ASSERT_PTR_NULL(video);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "exceeds limit"));
    sink_state st = {0};
    openrouter_body_sink sink = {count_sink, &st};
    CU_ASSERT_EQUAL(bd_get_video_content_to_sink(c, &req, &sink, NULL, &err), OPENROUTER_ETRANSPORT);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "exceeds limit"));
    CU_ASSERT(st.total <= VIDEO_BYTES / 2);
    openrouter_error_clear(&err);
    openrouter_client_free(c);

    /* Raised, it passes. */
    c = client_with_limit(VIDEO_BYTES);
    CU_ASSERT_EQUAL(bd_get_video_content(c, &req, &video, NULL, &err), OPENROUTER_OK);
    openrouter_bytes_free(video);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

/* ---- multipart/form-data ---------------------------------------------------------------- */

static const bd_part_list_parts_item *part(const bd_part_list *echo, size_t i)
{
    CU_ASSERT_FATAL(echo->parts.count > i);
    return &echo->parts.items[i];
}

static void test_multipart_from_memory(void)
{
    openrouter_client *c = client_with_limit(0);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    static const unsigned char bytes[] = {'a', 0, 0xff, '\r', '\n', '-', '-', 'z'};
    openrouter_string tags[] = {OPENROUTER_STRING("x"), OPENROUTER_STRING("y z")};
    bd_upload_file_request req = BD_UPLOAD_FILE_REQUEST_INIT;
    req.body.file = (openrouter_file){OPENROUTER_PRESENT, NULL, bytes, sizeof bytes, "data.bin", NULL};
    req.body.purpose.state = OPENROUTER_PRESENT;
    req.body.purpose.value = BD_UPLOAD_FILE_BODY_PURPOSE_FINE_TUNE;
    req.body.count = OPENROUTER_INT64(3);
    req.body.ratio = OPENROUTER_NUMBER(0.25);
    req.body.tags = (bd_string_array){OPENROUTER_PRESENT, tags, 2};
    req.body.meta.state = OPENROUTER_PRESENT;
    req.body.meta.value.note = OPENROUTER_STRING("hé");
    bd_part_list *echo = NULL;
    CU_ASSERT_EQUAL_FATAL(bd_upload_file(c, &req, &echo, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(echo->content_type.value, "multipart/form-data");
    CU_ASSERT_EQUAL_FATAL(echo->parts.count, 7u);
    const bd_part_list_parts_item *p = part(echo, 0); /* the file, byte for byte */
    CU_ASSERT_STRING_EQUAL(p->name.value, "file");
    CU_ASSERT_STRING_EQUAL(p->filename.value, "data.bin");
    CU_ASSERT_STRING_EQUAL(p->content_type.value, "application/octet-stream");
    CU_ASSERT_EQUAL(p->size.value, (int64_t)sizeof bytes);
    CU_ASSERT_STRING_EQUAL(p->sha256.value, "eec32fdb590512af4cee8e66f0a2da83e04dbab3560b87e5e9f7ba5faf4176c5");
    static const char *const names[] = {"file", "purpose", "count", "ratio", "tags", "tags", "meta"};
    static const char *const texts[] = {NULL, "fine-tune", "3", "0.25", "x", "y z", "{\"note\":\"hé\"}"};
    for (size_t i = 1; i < 7; i++) {
        p = part(echo, i);
        CU_ASSERT_STRING_EQUAL(p->name.value, names[i]);
        CU_ASSERT_EQUAL(p->filename.state, OPENROUTER_ABSENT);
        CU_ASSERT_STRING_EQUAL(p->text.value, texts[i]);
    }
    CU_ASSERT_STRING_EQUAL(part(echo, 6)->content_type.value, "application/json");
    bd_part_list_free(echo);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

static void test_multipart_from_a_path(void)
{
    char path[] = "/tmp/or-bodies-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    unsigned char big[70000];
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (unsigned char)(i * 7);
    CU_ASSERT_FATAL(write(fd, big, sizeof big) == (ssize_t)sizeof big);
    close(fd);
    openrouter_client *c = client_with_limit(0);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    bd_upload_file_request req = BD_UPLOAD_FILE_REQUEST_INIT;
    req.body.file = (openrouter_file){OPENROUTER_PRESENT, path, NULL, 0, NULL, "image/png"};
    req.body.purpose.state = OPENROUTER_PRESENT;
    req.body.purpose.value = BD_UPLOAD_FILE_BODY_PURPOSE_BATCH;
    bd_part_list *echo = NULL;
    CU_ASSERT_EQUAL_FATAL(bd_upload_file(c, &req, &echo, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_EQUAL_FATAL(echo->parts.count, 2u);
    const bd_part_list_parts_item *p = part(echo, 0);
    CU_ASSERT_STRING_EQUAL(p->filename.value, strrchr(path, '/') + 1); /* the path's base name */
    CU_ASSERT_STRING_EQUAL(p->content_type.value, "image/png");
    CU_ASSERT_EQUAL(p->size.value, (int64_t)sizeof big);
    bd_part_list_free(echo);
    unlink(path);

    /* Refused before anything is sent: a missing file, a missing required
     * part, a bound broken, a null. */
    long before = stub_stat(&srv, "requests");
    CU_ASSERT_EQUAL(bd_upload_file(c, &req, &echo, NULL, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.field, "file");
    req.body.file.state = OPENROUTER_ABSENT;
    CU_ASSERT_EQUAL(bd_upload_file(c, &req, &echo, NULL, &err), OPENROUTER_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "file: required field missing"));
    req.body.file = (openrouter_file){OPENROUTER_PRESENT, NULL, "x", 1, NULL, NULL};
    req.body.count = OPENROUTER_INT64(0);
    CU_ASSERT_EQUAL(bd_upload_file(c, &req, &echo, NULL, &err), OPENROUTER_EINVAL);
    CU_ASSERT_STRING_EQUAL(err.field, "count");
    req.body.count.state = OPENROUTER_NULL;
    CU_ASSERT_EQUAL(bd_upload_file(c, &req, &echo, NULL, &err), OPENROUTER_EINVAL);
    CU_ASSERT_PTR_NOT_NULL(strstr(err.message, "null cannot be sent"));
    CU_ASSERT_EQUAL(stub_stat(&srv, "requests"), before);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

static void test_json_wins_over_a_form(void)
{
    openrouter_client *c = client_with_limit(0);
    openrouter_error err = OPENROUTER_ERROR_INIT;
    bd_upload_either_request req = BD_UPLOAD_EITHER_REQUEST_INIT;
    req.body.purpose = OPENROUTER_STRING("batch");
    bd_part_list *echo = NULL;
    CU_ASSERT_EQUAL_FATAL(bd_upload_either(c, &req, &echo, NULL, &err), OPENROUTER_OK);
    CU_ASSERT_STRING_EQUAL(echo->content_type.value, "application/json");
    CU_ASSERT_EQUAL(echo->parts.count, 0u);
    bd_part_list_free(echo);
    openrouter_error_clear(&err);
    openrouter_client_free(c);
}

int main(void)
{
    if (CU_initialize_registry() != CUE_SUCCESS)
        return 1;
    CU_pSuite s = CU_add_suite("non-JSON bodies", suite_init, suite_clean);
    CU_add_test(s, "audio/*: bytes and Content-Type; errors stay JSON", test_audio_bytes);
    CU_add_test(s, "octet-stream: bytes, a sink, a sink that stops", test_video_bytes_and_sink);
    CU_add_test(s, "the response size limit", test_size_limit);
    CU_add_test(s, "multipart/form-data from memory, part by part", test_multipart_from_memory);
    CU_add_test(s, "multipart/form-data from a path; refused before sending", test_multipart_from_a_path);
    CU_add_test(s, "an operation offering JSON and a form sends JSON", test_json_wins_over_a_form);
    return or_test_run();
}
