//! A minimal LSP client over the real binary's stdio, for end-to-end tests.
//! Reads run on a thread feeding a channel, so a server that hangs fails the
//! test at the timeout instead of blocking it.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

pub const TIMEOUT: Duration = Duration::from_secs(20);

pub struct Client {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    /// Notifications and server requests seen while waiting for something else.
    pub seen: Vec<Value>,
}

impl Client {
    pub fn start() -> Client {
        Client::start_env(&[])
    }

    /// A server with these environment variables set.
    pub fn start_env(env: &[(&str, &std::ffi::OsStr)]) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_corroborate"))
            .arg("lsp")
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start corroborate lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    match r.read_line(&mut line) {
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
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                if let Ok(v) = serde_json::from_slice::<Value>(&body) {
                    if tx.send(v).is_err() {
                        return;
                    }
                }
            }
        });
        Client {
            child,
            stdin,
            rx,
            next_id: 1,
            seen: Vec::new(),
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn send_raw(&mut self, body: &[u8]) {
        let _ = write!(self.stdin, "Content-Length: {}\r\n\r\n", body.len());
        let _ = self.stdin.write_all(body);
        let _ = self.stdin.flush();
    }

    /// Write bytes as they are: headers and body, for tests of framing.
    pub fn send_frame(&mut self, bytes: &[u8]) {
        let _ = self.stdin.write_all(bytes);
        let _ = self.stdin.flush();
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        let m = json!({"jsonrpc": "2.0", "method": method, "params": params});
        self.send_raw(m.to_string().as_bytes());
    }

    /// Send a request and wait for its response (answering the server's own
    /// requests meanwhile).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let m = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.send_raw(m.to_string().as_bytes());
        self.wait_for(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
            .unwrap_or_else(|| panic!("no response to {method} within {TIMEOUT:?}"))
    }

    /// The next message satisfying `pred`, within the timeout: first among
    /// those already received while waiting for something else (a server may
    /// send a notification before or after the response it goes with).
    pub fn wait_for(&mut self, mut pred: impl FnMut(&Value) -> bool) -> Option<Value> {
        if let Some(i) = self.seen.iter().position(&mut pred) {
            return Some(self.seen.remove(i));
        }
        let end = Instant::now() + TIMEOUT;
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            let Ok(m) = self.rx.recv_timeout(left) else {
                return None;
            };
            self.answer(&m);
            if pred(&m) {
                return Some(m);
            }
            self.seen.push(m);
        }
        None
    }

    /// Answer a server-to-client request (progress tokens, registrations:
    /// null; `workspace/applyEdit`: applied). The request itself stays in
    /// what the test sees.
    fn answer(&mut self, m: &Value) {
        if m.get("method").is_some() && m.get("id").is_some() {
            let result = if m["method"] == "workspace/applyEdit" {
                json!({"applied": true})
            } else {
                Value::Null
            };
            let reply = json!({"jsonrpc": "2.0", "id": m["id"], "result": result});
            self.send_raw(reply.to_string().as_bytes());
        }
    }

    /// Forget what was received so far: what follows is a reaction to what
    /// the test does next.
    pub fn mark(&mut self) {
        while let Ok(m) = self.rx.try_recv() {
            self.answer(&m);
        }
        self.seen.clear();
    }

    /// The next diagnostics published for a URI ending with `suffix` that satisfy `pred`.
    pub fn diagnostics_for(
        &mut self,
        suffix: &str,
        mut pred: impl FnMut(&[Value]) -> bool,
    ) -> Option<Vec<Value>> {
        let s = suffix.to_string();
        self.wait_for(|m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"].as_str().is_some_and(|u| u.ends_with(&s))
                && pred(
                    m["params"]["diagnostics"]
                        .as_array()
                        .map_or(&[][..], |v| v.as_slice()),
                )
        })
        .and_then(|m| m["params"]["diagnostics"].as_array().cloned())
    }

    pub fn initialize(&mut self, root: &std::path::Path, utf8: bool) -> Value {
        let uri = file_uri(root);
        let encodings = if utf8 {
            json!(["utf-8", "utf-16"])
        } else {
            json!(["utf-16"])
        };
        let r = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri,
                "workspaceFolders": [{"uri": uri, "name": "ws"}],
                "capabilities": {"general": {"positionEncodings": encodings}, "window": {"workDoneProgress": true}}
            }),
        );
        self.notify("initialized", json!({}));
        r
    }

    /// `initialize` with the given parameters (roots, capabilities and
    /// options are the test's), then `initialized`.
    pub fn initialize_with(&mut self, params: Value) -> Value {
        let r = self.request("initialize", params);
        self.notify("initialized", json!({}));
        r
    }

    /// Open a document with the given text (not necessarily the file's).
    pub fn open_text(&mut self, path: &std::path::Path, language: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": file_uri(path), "languageId": language, "version": 1, "text": text}}),
        );
    }

    /// Wait until the workspace indexing reports its end.
    pub fn indexed(&mut self) -> Option<Value> {
        self.wait_for(|m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end")
    }

    pub fn open(&mut self, path: &std::path::Path, language: &str) -> String {
        let text = std::fs::read_to_string(path).expect("read article");
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": file_uri(path), "languageId": language, "version": 1, "text": text}}),
        );
        text
    }

    /// The markdown of a hover at `position` of `uri` (empty when none).
    pub fn hover_text(&mut self, uri: &str, position: &Value) -> String {
        let h = self.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": position}),
        );
        h["result"]["contents"]["value"]
            .as_str()
            .unwrap_or("")
            .to_string()
    }

    pub fn shutdown(mut self) -> i32 {
        let _ = self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        self.wait_exit()
    }

    /// Wait for the server process to end (after `exit`): its exit code, or
    /// -1 when it does not end within the timeout.
    pub fn wait_exit(mut self) -> i32 {
        let end = Instant::now() + TIMEOUT;
        loop {
            if let Ok(Some(st)) = self.child.try_wait() {
                return st.code().unwrap_or(-1);
            }
            if Instant::now() > end {
                let _ = self.child.kill();
                return -1;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

pub fn file_uri(p: &std::path::Path) -> String {
    format!("file://{}", p.display())
}

/// Byte offset of an LSP position in `text`, in UTF-16 or UTF-8 columns.
pub fn offset_of(text: &str, pos: &Value, utf8: bool) -> usize {
    let line = pos["line"].as_u64().unwrap_or(0) as usize;
    let col = pos["character"].as_u64().unwrap_or(0) as usize;
    let mut start = 0;
    for _ in 0..line {
        start += text[start..]
            .find('\n')
            .map_or(text.len() - start, |i| i + 1);
    }
    let mut units = 0;
    for (i, c) in text[start..].char_indices() {
        if units >= col || c == '\n' {
            return start + i;
        }
        units += if utf8 { c.len_utf8() } else { c.len_utf16() };
    }
    text.len()
}

/// The text a diagnostic's range covers.
pub fn range_text<'a>(text: &'a str, range: &Value, utf8: bool) -> &'a str {
    let a = offset_of(text, &range["start"], utf8);
    let b = offset_of(text, &range["end"], utf8);
    text.get(a..b).unwrap_or("")
}

/// A temporary workspace with copies of the given seed articles.
pub fn seed_workspace(names: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("seeds");
    for n in names {
        std::fs::copy(seeds.join(n), dir.path().join(n)).expect("copy seed");
    }
    dir
}

pub const S000: &str = "000_d708aa83a71d4e9b.txt";
pub const S001: &str = "001_5323763388cca4d5.txt";
pub const S002: &str = "002_69854c8e9be16728.txt";
pub const S003: &str = "003_e46d6d1d605074c4.txt";
pub const S004: &str = "004_0937b39be52192f5.txt";
pub const ALL: [&str; 5] = [S000, S001, S002, S003, S004];

/// The LSP range of the only occurrence of `needle` in `text`, computed
/// here (lines after "\n", columns counted with `str::encode_utf16` or in
/// bytes), independently of the server's conversions.
pub fn expected_range(text: &str, needle: &str, utf8: bool) -> Value {
    let start = text.find(needle).expect("the needle is in the text");
    assert_eq!(Some(start), text.rfind(needle), "{needle:?} occurs once");
    let pos = |at: usize| {
        let before = &text[..at];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let col = &text[line_start..at];
        let character = if utf8 {
            col.len()
        } else {
            col.encode_utf16().count()
        };
        json!({"line": before.matches('\n').count(), "character": character})
    };
    json!({"start": pos(start), "end": pos(start + needle.len())})
}

/// Resident and peak resident memory of a process, in kB (Linux only).
pub fn memory_kb(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}

/// A small deterministic generator (xorshift64*): the same sequence on every
/// machine for a given seed.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}
