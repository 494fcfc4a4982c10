/* openrouter-c: streaming operations (Server-Sent Events responses).
 *
 * Every operation whose success response is `text/event-stream` gets a
 * generated `*_stream` function (blocking) and `*_stream_start` (on an
 * openrouter_async handle) that call your event callback once per event,
 * decoded into the operation's event model, in the order the server sent
 * them; the generated functions are typed forms of the two below.
 *
 *   static int on_chunk(void *user, const orall_chat_streaming_response *ev)
 *   {
 *       ... ev->data.value.choices ...
 *       return 0;                       // non-zero: stop the stream
 *   }
 *   rc = orall_send_chat_completion_request_stream(client, &req, on_chunk, user, NULL, &err);
 *
 * What a stream's outcome is:
 * - OPENROUTER_OK: the stream ended with its sentinel (`data: [DONE]`);
 *   every event before it was delivered. An event of a type the model does
 *   not know (an `event:` field when the model has none) is passed over, as
 *   are comments and keep-alives (`: OPENROUTER PROCESSING`).
 * - An error before the first event (HTTP 4xx/5xx, a transport failure)
 *   is what any call returns, retried by the same rules: a POST is never
 *   retried blindly once sent, and never once a stream has started.
 * - OPENROUTER_EHTTP with http_status 200: the server sent an error event
 *   mid-stream (`{"error": {"code": ..., "message": ...}}`); api_code,
 *   api_code_number and api_message hold it. The events before it were
 *   delivered; the error event itself is not.
 * - OPENROUTER_ECANCELED: your callback returned non-zero; the connection
 *   is closed at once (which stops the generation upstream).
 * - OPENROUTER_ETIMEOUT: no event, comment or keep-alive for the idle limit
 *   (options->stream_idle_timeout_ms, else the client's timeout_ms), or
 *   the whole stream outlasted options->timeout_ms (when set; a stream has
 *   no overall limit otherwise).
 * - OPENROUTER_ETRANSPORT: the connection dropped, or the stream ended
 *   without its sentinel (a truncated stream).
 * - OPENROUTER_EDECODE: an event's data is not valid for its model (not
 *   JSON, say), or an event exceeds the client's max_response_bytes (the
 *   limit of one event; a stream as a whole has none), or a 2xx answer was
 *   not text/event-stream.
 * In every case error->attempts and request_may_have_been_processed are set
 * as for any call; nothing in an error holds the API key.
 *
 * The event passed to the callback belongs to the library and is freed
 * when the callback returns: copy what you keep. Inside the callback do not
 * call into the same client, nor (for *_stream_start) start, cancel or drive
 * calls on the handle: return non-zero to stop, or cancel from your loop
 * (openrouter_async_cancel()) between drive steps. */
#ifndef OPENROUTER_STREAM_H
#define OPENROUTER_STREAM_H

#include "openrouter/async.h"
#include "openrouter/client.h"
#include "openrouter/descriptor.h"
#include "openrouter/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Calls the caller's typed event callback `fn` (as generated *_stream
 * functions pass it) with `event` cast to its model type; returns what it
 * returned. */
typedef int (*openrouter_stream_thunk_fn)(void (*fn)(void), void *user, const void *event);

/* Runs operation `op` (which must have a stream description) as a stream,
 * blocking until it ends: `thunk(fn, user, event)` once per event. Returns
 * OPENROUTER_OK or the status described at the top of this file, with
 * `error` filled. options->raw_body is not supported here (EINVAL). */
int openrouter_call_stream(openrouter_client *client, const openrouter_operation_desc *op, const void *request,
                           openrouter_stream_thunk_fn thunk, void (*fn)(void), void *user,
                           const openrouter_call_options *options, openrouter_error *error);

/* The end of a stream started with openrouter_async_stream_start():
 * `status` and `error` as openrouter_call_stream() returns and fills them
 * (`error` belongs to the handle, see openrouter_async_done_fn). */
typedef void (*openrouter_async_stream_done_fn)(void *ctx, openrouter_async_call *call, int status,
                                                openrouter_error *error);

/* The non-blocking form: starts the stream on `async` and returns, as
 * openrouter_async_start() does. Each event reaches `thunk(fn, user, event)`
 * from inside openrouter_async_run() or openrouter_async_action(); `done`
 * runs once at the end, with `ctx`. openrouter_async_cancel(*call) stops a
 * stream in progress (done then gets OPENROUTER_ECANCELED). */
int openrouter_async_stream_start(openrouter_async *async, const openrouter_operation_desc *op, const void *request,
                                  openrouter_stream_thunk_fn thunk, void (*fn)(void), void *user,
                                  const openrouter_call_options *options, openrouter_async_stream_done_fn done,
                                  void *ctx, openrouter_async_call **call, openrouter_error *error);

#ifdef __cplusplus
}
#endif
#endif
