//! Any bytes as the client's side of the connection, after a valid
//! `initialize`: the server answers or skips, and never panics or hangs.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tokio::io::AsyncWriteExt;

fn frame(body: &str) -> Vec<u8> {
    let mut v = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    v.extend_from_slice(body.as_bytes());
    v
}

fuzz_target!(|data: &[u8]| {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    rt.block_on(async {
        let (mut client, server_in) = tokio::io::duplex(1 << 20);
        let (server_out, mut client_out) = tokio::io::duplex(1 << 20);
        let server = tokio::spawn(corroborate::lsp::serve(server_in, server_out));
        let drain = tokio::spawn(async move {
            let mut sink = tokio::io::sink();
            let _ = tokio::io::copy(&mut client_out, &mut sink).await;
        });
        let mut input =
            frame(r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}"#);
        input.extend(frame(
            r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
        ));
        input.extend_from_slice(data);
        let _ = client.write_all(&input).await;
        let _ = client.shutdown().await;
        // End of input ends the session; a hang is a failure.
        let done = tokio::time::timeout(std::time::Duration::from_secs(10), server).await;
        assert!(
            done.is_ok(),
            "the server did not finish after the end of its input"
        );
        drain.abort();
    });
});
