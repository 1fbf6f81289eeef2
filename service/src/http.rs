//! How the service meets HTTP: the body's limit and the clients' time
//! limits, each request's id and log line, every error as JSON (hyper's own
//! answers included), and the connections served by hand (axum's `serve`
//! sets no header timeout).

use std::time::{Duration, SystemTime};

use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{middleware, Json, Router};
use http_body_util::BodyExt;
use serde_json::json;
use tokio::sync::watch;

use crate::{error, millis, Internal};

/// The largest request body the service reads: 64 KiB, far above any
/// instance's data or an event's payload in these workflows. A body that
/// declares a larger `Content-Length` is answered 413 (`body_too_large`)
/// at once, unread; one that turns out larger as it arrives (chunked, or
/// a `Content-Length` that lies) is cut at the limit with the same 413.
pub(crate) const MAX_BODY: usize = 64 * 1024;

/// How long a client may take: to send a request's headers (from the
/// connection's start, or the end of its previous request) and then its
/// body. Past either, the request is cut with 408 `request_timeout` and
/// the connection closed, so that slow or stalled clients do not hold
/// connections open.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Limits {
    pub(crate) headers: Duration,
    pub(crate) body: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            headers: Duration::from_secs(10),
            body: Duration::from_secs(30),
        }
    }
}

/// The body of a 408 for headers or a body that came too slowly.
fn timeout_message(what: &str, within: Duration) -> String {
    format!(
        "the request's {what} did not arrive within {} ms",
        within.as_millis()
    )
}

/// Reads the request's body, within [`MAX_BODY`] and [`Limits::body`],
/// before anything else looks at the request: a declared length over the
/// limit is refused unread, a slow body is cut with 408.
pub(crate) async fn read_body(
    State(limits): State<Limits>,
    request: Request,
    next: middleware::Next,
) -> Response {
    let declared = request
        .headers()
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return with_close(body_too_large());
    }
    let (parts, body) = request.into_parts();
    let read = http_body_util::Limited::new(body, MAX_BODY).collect();
    let bytes = match tokio::time::timeout(limits.body, read).await {
        Ok(Ok(collected)) => collected.to_bytes(),
        Ok(Err(e)) if e.is::<http_body_util::LengthLimitError>() => {
            return with_close(body_too_large())
        }
        Ok(Err(e)) => {
            return with_close(error(
                StatusCode::BAD_REQUEST,
                "malformed_request",
                format!("the request body could not be read: {e}"),
            ))
        }
        Err(_) => {
            return with_close(error(
                StatusCode::REQUEST_TIMEOUT,
                "request_timeout",
                timeout_message("body", limits.body),
            ))
        }
    };
    next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
        .await
}

/// 413 `body_too_large`.
pub(crate) fn body_too_large() -> Response {
    error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "body_too_large",
        format!("the request body is over the service's limit of {MAX_BODY} bytes"),
    )
}

/// `response` with `Connection: close`: the rest of the request is not
/// read, so the connection cannot carry another one.
fn with_close(mut response: Response) -> Response {
    response.headers_mut().insert(
        axum::http::header::CONNECTION,
        axum::http::HeaderValue::from_static("close"),
    );
    response
}

/// The next request's id: the node's start (milliseconds since 1970, in
/// hex) and a count, unique across nodes and restarts for the logs'
/// purposes.
fn request_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::LazyLock;
    static STARTED: LazyLock<u64> = LazyLock::new(|| millis(SystemTime::now()).unwrap_or(0));
    static COUNT: AtomicU64 = AtomicU64::new(0);
    format!(
        "{:x}-{}",
        *STARTED,
        COUNT.fetch_add(1, Ordering::Relaxed) + 1
    )
}

/// The error code of an error status whose body a layer below wrote
/// without one (axum's extractors, a method the route lacks).
fn code_of(status: StatusCode) -> &'static str {
    match status {
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => "malformed_request",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::REQUEST_TIMEOUT => "request_timeout",
        StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        s if s.is_server_error() => "internal",
        _ => "error",
    }
}

/// Every request: an id (the `X-Request-Id` header of its answer), one
/// log line (method, path, status, duration; never a header or a body),
/// and an answer whose errors are all JSON `{"error", "message"}`: a 5xx
/// says what kind and the request id, its detail goes to the log only;
/// an error a layer below wrote as text (axum's rejections of a query or
/// a path, a method the route lacks) is wrapped with its code.
pub(crate) async fn requests(request: Request, next: middleware::Next) -> Response {
    let id = request_id();
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let started = std::time::Instant::now();
    let mut response = next.run(request).await;
    let status = response.status();
    if let Some(Internal { code, detail }) = response.extensions_mut().remove::<Internal>() {
        tracing::error!(request_id = %id, %method, path, status = status.as_u16(), error = %detail, "internal error");
        response = internal_body(status, code, &id);
    } else if (status.is_client_error() || status.is_server_error()) && !is_json(&response) {
        response = if status.is_server_error() {
            tracing::error!(request_id = %id, %method, path, status = status.as_u16(), "internal error without detail");
            internal_body(status, code_of(status), &id)
        } else {
            let (parts, body) = response.into_parts();
            let text = axum::body::to_bytes(body, 4096).await.unwrap_or_default();
            let text = String::from_utf8_lossy(&text).trim().to_string();
            let message = if text.is_empty() {
                format!(
                    "{} ({method} {path})",
                    status.canonical_reason().unwrap_or("error")
                )
            } else {
                text
            };
            let mut wrapped = error(status, code_of(status), message);
            for (name, value) in &parts.headers {
                if name != axum::http::header::CONTENT_TYPE
                    && name != axum::http::header::CONTENT_LENGTH
                {
                    wrapped.headers_mut().insert(name, value.clone());
                }
            }
            wrapped
        };
    }
    if let Ok(value) = axum::http::HeaderValue::from_str(&id) {
        response.headers_mut().insert("x-request-id", value);
    }
    tracing::info!(
        request_id = %id,
        %method,
        path,
        status = response.status().as_u16(),
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "request"
    );
    response
}

/// Whether `response` says its body is JSON.
fn is_json(response: &Response) -> bool {
    response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"))
}

/// The body of a 5xx: its code, "internal error" (or, for 503, that the
/// service is unavailable) and the request id to find the log line by.
fn internal_body(status: StatusCode, code: &str, id: &str) -> Response {
    let what = if status == StatusCode::SERVICE_UNAVAILABLE {
        "the service is unavailable"
    } else {
        "internal error"
    };
    (
        status,
        Json(json!({
            "error": code,
            "message": format!("{what}: the service's log has the detail under request id {id}"),
            "request_id": id,
        })),
    )
        .into_response()
}

/// A connection's stream, noting whether a request has begun to arrive
/// since the last answer was written (bytes read after the last write),
/// and holding back the answer hyper writes by itself to a request it
/// cannot parse (400, 414, 431, with no body): [`serve`] writes the JSON
/// one instead. Every answer of the service's own carries `x-request-id`
/// (the [`requests`] layer), so an error head without it is hyper's.
struct Watched<'s> {
    stream: &'s mut tokio::net::TcpStream,
    begun: &'s mut bool,
    unparsed: &'s mut Option<u16>,
}

/// The status of `buf` if it is the head of an error answer hyper wrote by
/// itself (see [`Watched`]).
fn hypers_own_error(buf: &[u8]) -> Option<u16> {
    let head = buf.strip_prefix(b"HTTP/1.")?.get(2..)?;
    if !head.starts_with(b"4") {
        return None;
    }
    let end = buf
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(buf.len());
    let lower = buf[..end].to_ascii_lowercase();
    if lower.windows(13).any(|w| w == b"x-request-id:") {
        return None;
    }
    std::str::from_utf8(head.get(..3)?).ok()?.parse().ok()
}

impl tokio::io::AsyncRead for Watched<'_> {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = std::pin::Pin::new(&mut *this.stream).poll_read(cx, buf);
        if buf.filled().len() > before {
            *this.begun = true;
        }
        polled
    }
}

impl tokio::io::AsyncWrite for Watched<'_> {
    fn poll_write(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let this = self.get_mut();
        *this.begun = false;
        if this.unparsed.is_none() {
            if let Some(status) = hypers_own_error(buf) {
                *this.unparsed = Some(status);
            }
        }
        if this.unparsed.is_some() {
            // Held back: `serve` answers in JSON once hyper is done.
            return std::task::Poll::Ready(Ok(buf.len()));
        }
        std::pin::Pin::new(&mut *this.stream).poll_write(cx, buf)
    }

    fn poll_flush(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::pin::Pin::new(&mut *self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        let this = self.get_mut();
        if this.unparsed.is_some() {
            // `serve` still has its answer to write.
            return std::task::Poll::Ready(Ok(()));
        }
        std::pin::Pin::new(&mut *this.stream).poll_shutdown(cx)
    }
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets the
/// requests in flight finish. Each connection is HTTP/1.1 with
/// [`Limits::headers`] as its header timeout: a client that began a
/// request and has not sent its headers in time gets 408
/// `request_timeout`, and the connection is closed (an idle one, quietly).
/// (axum's own `serve` sets no header timeout.)
pub(crate) async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()>,
) {
    use tokio::io::AsyncWriteExt;
    let (closing, closed) = watch::channel(false);
    let mut connections = tokio::task::JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, or a connection reset before
                    // it was accepted: wait a little and go on.
                    tracing::warn!(error = %e, "a connection was not accepted");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let mut closed = closed.clone();
        connections.spawn(async move {
            let mut stream = stream;
            let mut begun = false;
            let mut unparsed = None;
            let served = {
                let mut http = hyper::server::conn::http1::Builder::new();
                http.timer(hyper_util::rt::TokioTimer::new())
                    .header_read_timeout(limits.headers);
                let watched = Watched {
                    stream: &mut stream,
                    begun: &mut begun,
                    unparsed: &mut unparsed,
                };
                let connection =
                    http.serve_connection(hyper_util::rt::TokioIo::new(watched), service);
                tokio::pin!(connection);
                tokio::select! {
                    served = connection.as_mut() => served,
                    _ = closed.changed() => {
                        connection.as_mut().graceful_shutdown();
                        connection.as_mut().await
                    }
                }
            };
            if let Some(status) = unparsed {
                let (code, message) = match status {
                    414 => ("uri_too_long", "the request's URI is too long".to_string()),
                    431 => (
                        "headers_too_large",
                        "the request's headers are too many or too large".to_string(),
                    ),
                    _ => (
                        "malformed_request",
                        match &served {
                            Err(e) => format!("the request is not valid HTTP/1.1: {e}"),
                            Ok(()) => "the request is not valid HTTP/1.1".to_string(),
                        },
                    ),
                };
                let body = json!({ "error": code, "message": message }).to_string();
                let reason = StatusCode::from_u16(status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("Bad Request");
                let answer = format!(
                    "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
                let _ = stream.shutdown().await;
                tracing::info!(status, "request: not parsed");
                return;
            }
            if let Err(e) = served {
                // A connection idle between requests is closed quietly (a
                // client may be about to reuse it, and must not read a
                // 408 as the answer to its next request); one that began
                // a request and did not finish its headers gets the 408.
                if e.is_timeout() && begun {
                    let body = json!({
                        "error": "request_timeout",
                        "message": timeout_message("headers", limits.headers),
                    })
                    .to_string();
                    let answer = format!(
                        "HTTP/1.1 408 Request Timeout\r\ncontent-type: application/json\r\n\
                         content-length: {}\r\nconnection: close\r\n\r\n{body}",
                        body.len()
                    );
                    let _ = stream.write_all(answer.as_bytes()).await;
                    let _ = stream.shutdown().await;
                    tracing::info!(status = 408, "request: headers too slow");
                }
            }
        });
        // Reap the connections that ended, so the set does not grow.
        while connections.try_join_next().is_some() {}
    }
    let _ = closing.send(true);
    while connections.join_next().await.is_some() {}
}
