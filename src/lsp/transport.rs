//! A guard between stdio and the JSON-RPC server.
//!
//! tower-lsp-server's codec stops reading after the first undecodable
//! message (malformed JSON, an oversized or missing length), which would end
//! the session. This layer reads the frames itself, answers a body that is
//! not JSON with a JSON-RPC parse error (-32700, id null), skips header blocks
//! it cannot use, and hands only well-formed messages to the server. Output
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
                Ok(Some(Frame::Body(body))) => {
                    if serde_json::from_slice::<serde_json::Value>(&body).is_ok() {
                        if to_server.write_all(&frame(&body)).await.is_err() {
                            break;
                        }
                    } else {
                        eprintln!(
                            "corroborate lsp: skipped a message that is not JSON ({} bytes)",
                            body.len()
                        );
                        let _ = guard_tx
                            .send(parse_error("the message is not valid JSON"))
                            .await;
                    }
                }
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
