//! A guard between stdio and the JSON-RPC server.
//!
//! tower-lsp-server's codec stops reading after the first undecodable
//! message (malformed JSON, an oversized or missing length), which would end
//! the session, and so does a body that is JSON but not a JSON-RPC message
//! (`[1,2,3]`, `42`, a numeric `method`, an object as `id`). This layer reads
//! the frames itself, answers a body that is not JSON with a JSON-RPC parse
//! error (-32700, id null) and one that is not a JSON-RPC 2.0 message with an
//! invalid request (-32600, its id when usable, else null), skips header
//! blocks it cannot use, and hands only well-formed messages to the server. Output
//! frames of the server and of this guard are written whole, never
//! interleaved.

use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader,
};
use tokio::sync::mpsc;

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};

use tower_lsp_server::jsonrpc::{Error, ErrorCode, Id, Request, Response};

/// Messages bigger than this are skipped: no editor sends 256 MB at once.
const MAX_MESSAGE: usize = 256 * 1024 * 1024;

enum Frame {
    Body(Vec<u8>),
    /// A header block without a usable Content-Length, or a body too big.
    Unusable(String),
}

async fn read_frame<R: AsyncBufRead + Unpin>(r: &mut R) -> std::io::Result<Option<Frame>> {
    let mut len: Option<usize> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        let n = r.read_until(b'\n', &mut line).await?;
        if n == 0 {
            return Ok(None);
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if saw_header {
                break;
            }
            continue;
        }
        saw_header = true;
        if let Some((k, v)) = text.split_once(':') {
            if k.trim().eq_ignore_ascii_case("content-length") {
                len = v.trim().parse().ok();
            }
        }
    }
    let Some(len) = len else {
        return Ok(Some(Frame::Unusable("missing Content-Length".into())));
    };
    if len > MAX_MESSAGE {
        // Drain it without holding it in memory.
        let mut left = len as u64;
        let mut sink = tokio::io::sink();
        while left > 0 {
            let copied = tokio::io::copy(&mut (&mut *r).take(left), &mut sink).await?;
            if copied == 0 {
                return Ok(None);
            }
            left -= copied;
        }
        return Ok(Some(Frame::Unusable(format!(
            "message of {len} bytes is too big"
        ))));
    }
    let mut body = vec![0u8; len];
    r.read_exact(&mut body).await?;
    Ok(Some(Frame::Body(body)))
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut v = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    v.extend_from_slice(body);
    v
}

fn parse_error(message: &str) -> Vec<u8> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": null,
        "error": {"code": -32700, "message": format!("Parse error: {message}")}
    });
    frame(body.to_string().as_bytes())
}

fn invalid_request(id: serde_json::Value, why: &str) -> Vec<u8> {
    let body = serde_json::json!({
        "jsonrpc": "2.0",
        "id": id,
        "error": {"code": -32600, "message": format!("Invalid Request: {why}")}
    });
    frame(body.to_string().as_bytes())
}

/// What tower-lsp-server's codec decodes (its own `Message`): a response,
/// else a request or notification. Anything it cannot decode would end its
/// read loop, so only these reach it.
#[derive(serde::Deserialize)]
#[serde(untagged)]
#[allow(dead_code)] // only decoded, to check the shape
enum Message {
    Response(Response),
    Request(Request),
}

/// What the guard makes of a body.
#[derive(Debug, PartialEq)]
enum Checked {
    /// A JSON-RPC message the server can take.
    Message,
    /// Not JSON at all: a parse error (-32700).
    NotJson,
    /// JSON, but not a JSON-RPC 2.0 request, notification or response: an
    /// invalid request (-32600), with the request's id when it has a usable one.
    Invalid { id: serde_json::Value, why: String },
}

fn check(body: &[u8]) -> Checked {
    if plainly_a_request(body) {
        return Checked::Message;
    }
    check_thoroughly(body)
}

/// Whether `body` is a JSON object that decodes as the server decodes it,
/// into a request or notification with a method and params of a usable
/// shape: nearly every message, settled by the one decode the server makes
/// of it. What it passes, [`check_thoroughly`] finds a message too (a body
/// that decodes is JSON, the decode wants `"jsonrpc": "2.0"`, a string
/// method, and ids of the usable types; the method and params are looked at
/// here), so it only saves building a tree of the body first: on the
/// message loop, that and the decode took 3.4 ms for a
/// `didChangeWatchedFiles` of 2,500 files, in front of any hover sent after
/// it. Anything else (responses included) takes every step of the check.
fn plainly_a_request(body: &[u8]) -> bool {
    let first = body
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'));
    if first != Some(&b'{') {
        return false;
    }
    match serde_json::from_slice::<Message>(body) {
        Ok(Message::Request(req)) => {
            let (method, _, params) = req.into_parts();
            !method.is_empty()
                && params
                    .as_ref()
                    .is_none_or(|p| p.is_object() || p.is_array() || p.is_null())
        }
        _ => false,
    }
}

/// [`check`], step by step: what a body that is not plainly a request is,
/// with the reason an invalid one is answered with.
fn check_thoroughly(body: &[u8]) -> Checked {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        return Checked::NotJson;
    };
    let invalid = |why: &str| {
        // The id is echoed only when it is one a request may carry.
        let id = value
            .get("id")
            .filter(|id| id.is_string() || id.as_i64().is_some())
            .cloned()
            .unwrap_or(serde_json::Value::Null);
        Checked::Invalid {
            id,
            why: why.to_string(),
        }
    };
    let Some(obj) = value.as_object() else {
        return invalid(match &value {
            serde_json::Value::Array(_) => "batches are not part of LSP; send one object",
            _ => "a message is a JSON object",
        });
    };
    if obj.get("jsonrpc").and_then(serde_json::Value::as_str) != Some("2.0") {
        return invalid("\"jsonrpc\" must be \"2.0\"");
    }
    match obj.get("method") {
        Some(m) if !m.is_string() => return invalid("\"method\" must be a string"),
        None if !(obj.contains_key("result") || obj.contains_key("error")) => {
            return invalid(
                "neither a request (\"method\") nor a response (\"result\" or \"error\")",
            )
        }
        _ => {}
    }
    if let Some(p) = obj.get("params") {
        if !(p.is_object() || p.is_array() || p.is_null()) {
            return invalid("\"params\" must be an object, an array or null");
        }
    }
    // Last, exactly what the server decodes (ids of the wrong type, numbers
    // out of range, duplicate keys).
    match serde_json::from_slice::<Message>(body) {
        Ok(_) => Checked::Message,
        Err(_)
            if obj
                .get("id")
                .is_some_and(|id| !(id.is_string() || id.as_i64().is_some() || id.is_null())) =>
        {
            invalid("\"id\" must be an integer or a string")
        }
        Err(e) => invalid(&e.to_string()),
    }
}

/// Run the server behind the guard on the given input and output.
pub async fn serve<I, O>(
    input: I,
    output: O,
    service: tower_lsp_server::LspService<super::Backend>,
    socket: tower_lsp_server::ClientSocket,
) where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
{
    let (to_server, server_in) = tokio::io::duplex(1 << 20);
    let (server_out, from_server) = tokio::io::duplex(1 << 20);
    let (out_tx, mut out_rx) = mpsc::channel::<Vec<u8>>(64);

    // stdin → checks → server
    let guard_tx = out_tx.clone();
    let reader = tokio::spawn(async move {
        let mut input = BufReader::new(input);
        let mut to_server = to_server;
        loop {
            match read_frame(&mut input).await {
                Ok(Some(Frame::Body(body))) => match check(&body) {
                    Checked::Message => {
                        if to_server.write_all(&frame(&body)).await.is_err() {
                            break;
                        }
                    }
                    Checked::NotJson => {
                        eprintln!(
                            "corroborate lsp: skipped a message that is not JSON ({} bytes)",
                            body.len()
                        );
                        let _ = guard_tx
                            .send(parse_error("the message is not valid JSON"))
                            .await;
                    }
                    Checked::Invalid { id, why } => {
                        eprintln!("corroborate lsp: skipped an invalid request: {why}");
                        let _ = guard_tx.send(invalid_request(id, &why)).await;
                    }
                },
                Ok(Some(Frame::Unusable(why))) => {
                    eprintln!("corroborate lsp: skipped a message: {why}");
                    let _ = guard_tx.send(parse_error(&why)).await;
                }
                Ok(None) | Err(_) => break,
            }
        }
        // End of input: let the server see it.
        let _ = to_server.shutdown().await;
    });

    // server → whole frames → stdout
    let relay = tokio::spawn(async move {
        let mut from_server = BufReader::new(from_server);
        while let Ok(Some(Frame::Body(body))) = read_frame(&mut from_server).await {
            if out_tx.send(frame(&body)).await.is_err() {
                break;
            }
        }
    });
    let writer = tokio::spawn(async move {
        let mut output = output;
        while let Some(bytes) = out_rx.recv().await {
            if output.write_all(&bytes).await.is_err() || output.flush().await.is_err() {
                break;
            }
        }
    });

    tower_lsp_server::Server::new(server_in, server_out, socket)
        .serve(CatchPanic(service))
        .await;
    reader.abort();
    let _ = relay.await;
    let _ = writer.await;
}

/// A panic in any handler (not only in the analysis, which catches its own)
/// answers the request with an internal error and leaves the server running,
/// instead of unwinding through the connection and ending the session.
pub struct CatchPanic<S>(pub S);

fn panic_response(id: Option<Id>, method: &str) -> Option<Response> {
    eprintln!("corroborate lsp: the handler of {method} panicked; the server goes on");
    id.map(|id| {
        Response::from_error(
            id,
            Error {
                code: ErrorCode::InternalError,
                message: format!("corroborate: internal error in {method}").into(),
                data: None,
            },
        )
    })
}

impl<S> tower_service::Service<Request> for CatchPanic<S>
where
    S: tower_service::Service<Request, Response = Option<Response>>,
    S::Future: Send + 'static,
    S::Error: Send + 'static,
{
    type Response = Option<Response>;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Option<Response>, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let id = req.id().cloned();
        let method = req.method().to_string();
        match std::panic::catch_unwind(AssertUnwindSafe(|| self.0.call(req))) {
            Ok(fut) => Box::pin(Guarded {
                fut: Box::pin(fut),
                id,
                method,
            }),
            Err(_) => Box::pin(std::future::ready(Ok(panic_response(id, &method)))),
        }
    }
}

/// A handler's future, polled under `catch_unwind`.
struct Guarded<F> {
    fut: Pin<Box<F>>,
    id: Option<Id>,
    method: String,
}

impl<F, E> Future for Guarded<F>
where
    F: Future<Output = Result<Option<Response>, E>>,
{
    type Output = F::Output;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        match std::panic::catch_unwind(AssertUnwindSafe(|| this.fut.as_mut().poll(cx))) {
            Ok(p) => p,
            // The panicked future is never polled again.
            Err(_) => Poll::Ready(Ok(panic_response(this.id.take(), &this.method))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};
    use tower_service::Service;

    /// A service whose handlers panic: in `call`, or inside the future.
    struct Panicky;

    impl Service<Request> for Panicky {
        type Response = Option<Response>;
        type Error = std::convert::Infallible;
        type Future = Pin<Box<dyn Future<Output = Result<Option<Response>, Self::Error>> + Send>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, req: Request) -> Self::Future {
            if req.method() == "now" {
                panic!("in call");
            }
            Box::pin(async move {
                tokio::task::yield_now().await;
                if req.method() == "later" {
                    panic!("in the future");
                }
                Ok(None)
            })
        }
    }

    #[test]
    fn only_json_rpc_messages_reach_the_server() {
        let invalid_with = |body: &str| match check(body.as_bytes()) {
            Checked::Invalid { id, .. } => Some(id),
            _ => None,
        };
        for ok in [
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#,
            r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
            r#"{"jsonrpc":"2.0","id":"a","method":"shutdown","params":null}"#,
            r#"{"jsonrpc":"2.0","method":"exit"}"#,
            r#"{"jsonrpc":"2.0","id":3,"result":null}"#,
            r#"{"jsonrpc":"2.0","id":4,"error":{"code":-1,"message":"no"}}"#,
        ] {
            assert_eq!(check(ok.as_bytes()), Checked::Message, "{ok}");
        }
        assert_eq!(check(b"{not json"), Checked::NotJson);
        for (bad, id) in [
            ("[1,2,3]", Value::Null),
            ("[]", Value::Null),
            (r#""str""#, Value::Null),
            ("42", Value::Null),
            ("null", Value::Null),
            (r#"{"jsonrpc":"2.0","method":5}"#, Value::Null),
            (
                r#"{"jsonrpc":"2.0","id":{"a":1},"method":"x"}"#,
                Value::Null,
            ),
            (r#"{"jsonrpc":"2.0","id":1.5,"method":"x"}"#, Value::Null),
            (r#"{"jsonrpc":"1.0","id":6,"method":"shutdown"}"#, json!(6)),
            (r#"{"id":7,"method":"shutdown"}"#, json!(7)),
            (
                r#"{"jsonrpc":"2.0","id":"s","method":"x","params":5}"#,
                json!("s"),
            ),
            (r#"{"jsonrpc":"2.0","id":8}"#, json!(8)),
            (
                r#"{"jsonrpc":"2.0","method":"x","method":"y","id":9}"#,
                json!(9),
            ),
        ] {
            assert_eq!(invalid_with(bad), Some(id), "{bad}");
        }
    }

    /// What the one-decode path lets through, every step of the check
    /// finds a message too; the usual requests and notifications take it,
    /// and responses and anything doubtful take every step.
    #[test]
    fn plain_requests_are_messages_by_every_step() {
        let deep = format!(
            r#"{{"jsonrpc":"2.0","method":"x","params":{}1{}}}"#,
            "[".repeat(200),
            "]".repeat(200)
        );
        let plain = [
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#,
            r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
            r#"{"jsonrpc":"2.0","id":"a","method":"shutdown","params":null}"#,
            r#"{"jsonrpc":"2.0","method":"exit"}"#,
            " {\"jsonrpc\":\"2.0\",\"method\":\"x\",\"id\":null,\"params\":[1,2]}\r\n",
            r#"{"jsonrpc":"2.0","method":"x","extra":1,"extra":2}"#,
            r#"{"method":"textDocument/hover","jsonrpc":"2.0","id":-7,"params":{"a":"\u00e9\n"}}"#,
        ];
        let other = [
            r#"{"jsonrpc":"2.0","id":3,"result":null}"#,
            r#"{"jsonrpc":"2.0","id":4,"error":{"code":-1,"message":"no"}}"#,
            r#"{"jsonrpc":"2.0","id":5,"result":1,"method":"x"}"#,
            r#"[{"jsonrpc":"2.0","method":"x"}]"#,
            r#"["2.0","x",null,1]"#,
            r#"{"jsonrpc":"2.0","method":""}"#,
            r#"{"jsonrpc":"2.0","id":8}"#,
            r#"{"jsonrpc":"2.0","method":"x","params":5}"#,
            r#"{"jsonrpc":"2.0","method":"x","params":"s"}"#,
            r#"{"jsonrpc":"2.0","method":"x","method":"y","id":9}"#,
            r#"{"jsonrpc":"2.0","method":"x","id":1.5}"#,
            r#"{"jsonrpc":"2.0","method":"x","id":{"a":1}}"#,
            r#"{"jsonrpc":"1.0","method":"x"}"#,
            r#"{"jsonrpc":"2.0","method":5}"#,
            r#"{"jsonrpc":"2.0","method":"x","params":[1e400]}"#,
            r#"{"jsonrpc":"2.0","method":"x","params":{"a":"\ud800"}}"#,
            r#"{"jsonrpc":"2.0","method":"x"} trailing"#,
            "{not json",
            deep.as_str(),
        ];
        for b in plain {
            assert!(plainly_a_request(b.as_bytes()), "{b}");
            assert_eq!(check_thoroughly(b.as_bytes()), Checked::Message, "{b}");
        }
        for b in other {
            assert!(!plainly_a_request(b.as_bytes()), "{b}");
            assert_eq!(check(b.as_bytes()), check_thoroughly(b.as_bytes()), "{b}");
        }
    }

    #[tokio::test]
    async fn a_panicking_handler_becomes_an_internal_error() {
        let mut s = CatchPanic(Panicky);
        for m in ["now", "later"] {
            let req = Request::build(m).id(7).finish();
            let res = s.call(req).await.ok().flatten().expect("a response");
            assert_eq!(
                res.error().map(|e| e.code),
                Some(ErrorCode::InternalError),
                "{m}"
            );
            // A notification (no id) gets no response, and no crash.
            let note = Request::build(m).finish();
            assert!(s.call(note).await.ok().flatten().is_none());
        }
        // Handlers that do not panic are untouched.
        let ok = Request::build("fine").id(8).finish();
        assert!(s.call(ok).await.ok().flatten().is_none());
    }
}
