//! A corpus of bad input, built in a temporary directory at test time:
//! every file is analysed or skipped with a warning, nothing crashes or
//! hangs, and `check` exits 2 only for bad explicit arguments.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/two-sources");

fn check(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_corroborate"))
        .current_dir(dir)
        .arg("check")
        .args(args)
        .output()
        .expect("run corroborate")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn line_about<'a>(err: &'a str, name: &str) -> Option<&'a str> {
    err.lines().find(|l| l.contains(name))
}

/// Whether the file can be read despite its permissions (running as root).
fn readable(p: &Path) -> bool {
    fs::read(p).is_ok()
}

struct Corpus {
    dir: tempfile::TempDir,
    /// Made unreadable; `None` when permissions do not stop us (root).
    denied: Option<&'static str>,
}

fn bad_corpus() -> Corpus {
    let dir = tempfile::tempdir().unwrap();
    let c = dir.path().join("corpus");
    fs::create_dir(&c).unwrap();
    // Two good articles with a planted conflict.
    for f in ["harbour-herald.txt", "valley-courier.txt"] {
        fs::copy(Path::new(FIXTURE).join(f), c.join(f)).unwrap();
    }
    fs::write(c.join("empty.txt"), "").unwrap();
    fs::write(c.join("blank.md"), " \n\t\r\n   \n\u{a0}\n").unwrap();
    let sentence =
        "The council said more than 300 homes were evacuated on Sunday near the bridge. ";
    let line: String = sentence.repeat(1024 * 1024 / sentence.len() + 1);
    fs::write(c.join("one-line.txt"), &line.as_bytes()[..1024 * 1024]).unwrap();
    fs::write(
        c.join("latin1.txt"),
        b"Caf\xe9 owners said 20 homes were flooded.\n",
    )
    .unwrap();
    let mut utf16 = vec![0xFF, 0xFE];
    for u in "Flood closes bridge\n".encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    fs::write(c.join("utf16.txt"), utf16).unwrap();
    let binary: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
    fs::write(c.join("binary.txt"), binary).unwrap();
    // A directory with an article's name, holding a real article.
    fs::create_dir(c.join("x.txt")).unwrap();
    fs::write(
        c.join("x.txt").join("inner.md"),
        "The bridge reopened on Friday, the council said.\n",
    )
    .unwrap();
    // A 50 MB article.
    {
        use std::io::Write;
        let mut f = std::io::BufWriter::new(fs::File::create(c.join("huge.txt")).unwrap());
        let para = "Officials said more than 300 homes were evacuated along the east bank.\n";
        let mut n = 0;
        while n < 50 * 1024 * 1024 {
            f.write_all(para.as_bytes()).unwrap();
            n += para.len();
        }
    }
    #[cfg(unix)]
    let denied = {
        use std::os::unix::fs::{symlink, PermissionsExt};
        // A symlink loop: a directory link back to its ancestor.
        fs::create_dir(c.join("sub")).unwrap();
        symlink("..", c.join("sub").join("loop")).unwrap();
        // A link to itself, and one to a file deleted since.
        symlink("self.txt", c.join("self.txt")).unwrap();
        fs::write(c.join("deleted.txt.bak"), "x").unwrap();
        symlink("deleted.txt.bak", c.join("gone.txt")).unwrap();
        fs::remove_file(c.join("deleted.txt.bak")).unwrap();
        // Permission denied.
        let p = c.join("secret.txt");
        fs::write(&p, "More than 300 homes were evacuated.\n").unwrap();
        fs::set_permissions(&p, fs::Permissions::from_mode(0o000)).unwrap();
        // A folder that cannot be read.
        let locked = c.join("locked");
        fs::create_dir(&locked).unwrap();
        fs::write(locked.join("inside.txt"), "Nothing to see.\n").unwrap();
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
        let denied = (!readable(&p)).then_some("secret.txt");
        if denied.is_none() {
            println!("note: running as root: the permission-denied cases do not apply");
        }
        denied
    };
    #[cfg(not(unix))]
    let denied = None;
    Corpus { dir, denied }
}

impl Drop for Corpus {
    fn drop(&mut self) {
        // Let the temporary directory be removed.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = fs::set_permissions(
                self.dir.path().join("corpus").join("locked"),
                fs::Permissions::from_mode(0o755),
            );
        }
    }
}

#[test]
fn bad_files_in_a_directory_are_skipped_with_a_warning() {
    let corpus = bad_corpus();
    let o = check(corpus.dir.path(), &["--format", "json", "corpus"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let v: Value = serde_json::from_slice(&o.stdout).expect("JSON on stdout");
    let mut paths: Vec<&str> = v["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["path"].as_str().unwrap())
        .collect();
    paths.sort();
    let mut expected = vec![
        "corpus/blank.md",
        "corpus/empty.txt",
        "corpus/harbour-herald.txt",
        "corpus/one-line.txt",
        "corpus/valley-courier.txt",
        "corpus/x.txt/inner.md",
    ];
    if cfg!(unix) && corpus.denied.is_none() {
        // Root reads them anyway.
        expected.push("corpus/secret.txt");
        expected.push("corpus/locked/inside.txt");
        expected.sort();
    }
    assert_eq!(paths, expected, "{err}");
    // The planted conflict is still found.
    assert!(v["relations"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["relation"] == "conflict"));
    for (name, why) in [
        ("huge.txt", "too big"),
        ("latin1.txt", "not valid UTF-8"),
        ("utf16.txt", "UTF-16"),
        ("binary.txt", "binary"),
        ("loop", "symlink loop"),
        (
            "self.txt",
            if cfg!(target_os = "linux") {
                "symlink loop"
            } else {
                "skipped"
            },
        ),
        ("gone.txt", "skipped"),
    ] {
        let l = line_about(&err, name).unwrap_or_else(|| panic!("no warning for {name}: {err}"));
        assert!(l.starts_with("corroborate: warning: "), "{l}");
        assert!(l.contains(why), "{name}: {l}");
    }
    if let Some(name) = corpus.denied {
        let l = line_about(&err, name).expect("warning for the unreadable file");
        assert!(l.contains("permission denied"), "{l}");
        let l = line_about(&err, "corpus/locked").expect("warning for the unreadable folder");
        assert!(l.contains("skipped: permission denied"), "{l}");
    }
    // Every warning is one line about one path.
    for l in err.lines() {
        assert!(l.starts_with("corroborate: warning: "), "{l}");
    }
}

#[test]
fn other_formats_survive_the_bad_corpus() {
    let corpus = bad_corpus();
    for format in ["text", "sarif", "github"] {
        let o = check(corpus.dir.path(), &["--format", format, "corpus"]);
        assert_eq!(o.status.code(), Some(0), "{format}: {}", stderr(&o));
        assert!(!o.stdout.is_empty());
    }
}

#[test]
fn bad_explicit_arguments_exit_2() {
    let corpus = bad_corpus();
    let mut cases = vec![
        ("corpus/binary.txt", "binary"),
        ("corpus/utf16.txt", "UTF-16"),
        ("corpus/latin1.txt", "UTF-8"),
        ("corpus/huge.txt", "too big"),
        ("corpus/nothing.txt", "no such file"),
        ("corpus/gone.txt", "broken symlink"),
    ];
    if let Some(name) = corpus.denied {
        cases.push((
            Box::leak(format!("corpus/{name}").into_boxed_str()),
            "permission denied",
        ));
        // An explicit folder that cannot be read is unreadable too.
        cases.push(("corpus/locked", "permission denied"));
    }
    for (arg, why) in cases {
        let o = check(corpus.dir.path(), &[arg]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{arg}: {err}");
        assert_eq!(err.lines().count(), 1, "{arg}: {err}");
        assert!(err.starts_with("corroborate: error: "), "{err}");
        assert!(err.contains(arg) && err.contains(why), "{arg}: {err}");
        assert!(o.stdout.is_empty(), "{arg}");
    }
    // Readable odd files given explicitly are fine.
    for arg in [
        "corpus/empty.txt",
        "corpus/blank.md",
        "corpus/one-line.txt",
        "corpus/x.txt",
    ] {
        let o = check(corpus.dir.path(), &["--format", "json", arg]);
        assert_eq!(o.status.code(), Some(0), "{arg}: {}", stderr(&o));
        serde_json::from_slice::<Value>(&o.stdout).unwrap();
    }
}

#[test]
fn a_file_gone_before_reading_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let err = corroborate::cli::files::read_article(&dir.path().join("vanished.txt")).unwrap_err();
    assert!(err.contains("no such file"), "{err}");
}
