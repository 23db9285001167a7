//! Any bytes as the client's side of the connection, after a valid
//! `initialize`, then a `shutdown` request: the server answers or skips every
//! message, never panics or hangs, and is still there to answer the
//! `shutdown` (a server that quits early fails).
//!
//! The input is split at NUL bytes into message bodies, each framed with its
//! correct Content-Length, so that the final `shutdown` is always a whole
//! message; an input starting with `#` is sent as raw bytes instead (headers
//! too are fuzzed), and then only the end of the session is checked.
//!
//! Shared by the cargo-fuzz target and the bounded run in `tests/fuzz_smoke.rs`.
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};

fn frame(body: &[u8]) -> Vec<u8> {
    let mut v = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    v.extend_from_slice(body);
    v
}

/// An `exit` notification ends the session by design: such a body is left out.
fn is_exit(body: &[u8]) -> bool {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .is_some_and(|v| v.get("method").and_then(|m| m.as_str()) == Some("exit"))
}

const FINAL_ID: &str = "fuzz-final-shutdown";

pub fn run(data: &[u8]) {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    rt.block_on(async {
        let (client, server_in) = tokio::io::duplex(1 << 20);
        let (server_out, client_out) = tokio::io::duplex(1 << 20);
        let server = tokio::spawn(corroborate::lsp::serve(server_in, server_out));
        // One writer: the test's messages and the answers to the server's
        // own requests (progress tokens, registrations, applyEdit).
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
        let writer = tokio::spawn(async move {
            let mut client = client;
            // An empty message means: end of the input.
            while let Some(bytes) = rx.recv().await {
                if bytes.is_empty() || client.write_all(&bytes).await.is_err() {
                    break;
                }
            }
            let _ = client.shutdown().await;
        });
        let (got_tx, got_rx) = tokio::sync::oneshot::channel::<()>();
        let answer_tx = tx.clone();
        let reader = tokio::spawn(async move {
            let mut r = BufReader::new(client_out);
            let mut got = Some(got_tx);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    match r.read_line(&mut line).await {
                        Ok(0) | Err(_) => return,
                        Ok(_) => {}
                    }
                    let line = line.trim_end();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0u8; len];
                if r.read_exact(&mut body).await.is_err() {
                    return;
                }
                let Ok(m) = serde_json::from_slice::<serde_json::Value>(&body) else {
                    continue;
                };
                if m.get("method").is_some() && m.get("id").is_some() {
                    let result = if m["method"] == "workspace/applyEdit" {
                        serde_json::json!({"applied": false})
                    } else {
                        serde_json::Value::Null
                    };
                    let reply =
                        serde_json::json!({"jsonrpc": "2.0", "id": m["id"], "result": result});
                    let _ = answer_tx.send(frame(reply.to_string().as_bytes()));
                } else if m.get("method").is_none() && m["id"] == FINAL_ID {
                    if let Some(g) = got.take() {
                        let _ = g.send(());
                    }
                }
            }
        });

        let _ = tx.send(frame(
            br#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#,
        ));
        let _ = tx.send(frame(
            br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        ));
        let raw = data.first() == Some(&b'#');
        if raw {
            let _ = tx.send(data.to_vec());
        } else {
            for body in data.split(|&b| b == 0) {
                if !is_exit(body) {
                    let _ = tx.send(frame(body));
                }
            }
            let shutdown = format!(r#"{{"jsonrpc":"2.0","id":"{FINAL_ID}","method":"shutdown"}}"#);
            let _ = tx.send(frame(shutdown.as_bytes()));
            let answered = tokio::time::timeout(std::time::Duration::from_secs(10), got_rx).await;
            assert!(
                matches!(answered, Ok(Ok(()))),
                "the server did not answer the final shutdown: it quit or hung"
            );
            let _ = tx.send(frame(br#"{"jsonrpc":"2.0","method":"exit"}"#));
        }
        let _ = tx.send(Vec::new());
        // End of input (or exit) ends the session; a hang is a failure.
        let done = tokio::time::timeout(std::time::Duration::from_secs(10), server).await;
        assert!(
            done.is_ok(),
            "the server did not finish after the end of its input"
        );
        reader.abort();
        writer.abort();
    });
}
