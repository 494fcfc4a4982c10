/* Streams a chat completion and prints the reply as it arrives: the
 * blocking *_stream function, or with --async its non-blocking form on an
 * openrouter_async handle in run mode.
 *
 *   OPENROUTER_API_KEY=<key> [OPENROUTER_BASE_URL=...] \
 *     ./stream_chat [--async] [--model MODEL] PROMPT
 *
 * Built from the library generated from OpenRouter's whole description
 * with --prefix orfull (tests/upstream/CMakeLists.txt builds it and runs
 * it against the stand-in server). Each chunk's text is printed at once;
 * the usage-only chunk at the end gives the token count, on stderr.
 * Exit status: 0 the whole reply, 1 the stream failed (the text so far was
 * printed), 2 bad arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "orfull/orfull.h"

typedef struct reply {
    size_t chunks;
    long total_tokens; /* -1 until the usage chunk */
    int status;        /* --async: the stream's outcome */
    openrouter_error err;
} reply;

/* One event: print its text; 0 to go on. */
static int on_chunk(void *user, const orfull_chat_streaming_response *event)
{
    reply *r = (reply *)user;
    const orfull_chat_stream_chunk *chunk = &event->data.value;
    r->chunks++;
    for (size_t i = 0; i < chunk->choices.count; i++) {
        const openrouter_string *text = &chunk->choices.items[i].delta.value.content;
        if (text->state == OPENROUTER_PRESENT)
            fputs(text->value, stdout);
    }
    if (chunk->usage.state == OPENROUTER_PRESENT)
        r->total_tokens = (long)chunk->usage.value.total_tokens.value;
    fflush(stdout);
    return 0;
}

/* --async: the end of the stream. */
static void on_end(void *ctx, openrouter_async_call *call, int status, openrouter_error *error)
{
    (void)call;
    reply *r = (reply *)ctx;
    r->status = status;
    r->err = *error; /* moved out: the handle clears its own */
    openrouter_error fresh = OPENROUTER_ERROR_INIT;
    *error = fresh;
}

static int stream_async(openrouter_client *client, const orfull_send_chat_completion_request_request *req, reply *r)
{
    openrouter_async *async = NULL;
    int rc = openrouter_async_new(&async, client, NULL, &r->err);
    if (rc == OPENROUTER_OK)
        rc = orfull_send_chat_completion_request_stream_start(async, req, on_chunk, r, NULL, on_end, r, NULL,
                                                              &r->err);
    if (rc == OPENROUTER_OK) {
        openrouter_async_run(async, -1); /* until the stream has ended */
        rc = r->status;
    }
    openrouter_async_free(async);
    return rc;
}

int main(int argc, char **argv)
{
    int use_async = 0;
    const char *model = "openai/gpt-4o", *prompt = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--async") == 0)
            use_async = 1;
        else if (strcmp(argv[i], "--model") == 0 && i + 1 < argc)
            model = argv[++i];
        else if (!prompt)
            prompt = argv[i];
        else
            prompt = NULL, i = argc;
    }
    const char *key = getenv("OPENROUTER_API_KEY");
    if (!prompt || !key || !*key) {
        fprintf(stderr, "usage: OPENROUTER_API_KEY=... %s [--async] [--model MODEL] PROMPT\n", argv[0]);
        return 2;
    }

    openrouter_client_options opts = OPENROUTER_CLIENT_OPTIONS_INIT;
    opts.api_key = key;
    opts.base_url = getenv("OPENROUTER_BASE_URL"); /* NULL: https://openrouter.ai/api/v1 */
    openrouter_client *client = NULL;
    reply r = {0, -1, 0, OPENROUTER_ERROR_INIT};
    if (openrouter_client_new(&client, &opts, &r.err) != OPENROUTER_OK) {
        fprintf(stderr, "stream_chat: %s\n", r.err.message);
        openrouter_error_clear(&r.err);
        return 2;
    }

    orfull_chat_messages msg = ORFULL_CHAT_MESSAGES_INIT;
    msg.kind = ORFULL_CHAT_MESSAGES_KIND_USER;
    msg.user.content.state = OPENROUTER_PRESENT;
    msg.user.content.value.kind = ORFULL_CHAT_TOOL_MESSAGE_CONTENT_KIND_STRING;
    msg.user.content.value.string = OPENROUTER_STRING(prompt);
    orfull_send_chat_completion_request_request req = ORFULL_SEND_CHAT_COMPLETION_REQUEST_REQUEST_INIT;
    req.body.model = OPENROUTER_STRING(model);
    req.body.messages.state = OPENROUTER_PRESENT;
    req.body.messages.items = &msg;
    req.body.messages.count = 1;

    /* "stream": true is set for you. */
    int rc = use_async ? stream_async(client, &req, &r)
                       : orfull_send_chat_completion_request_stream(client, &req, on_chunk, &r, NULL, &r.err);
    putchar('\n');
    if (rc == OPENROUTER_OK)
        fprintf(stderr, "%zu chunks, %ld tokens\n", r.chunks, r.total_tokens);
    else
        fprintf(stderr, "stream_chat: %s (%s)\n", r.err.message, openrouter_status_name(rc));
    openrouter_error_clear(&r.err);
    openrouter_client_free(client);
    return rc == OPENROUTER_OK ? 0 : 1;
}
