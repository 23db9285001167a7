//! The on-disk analysis cache of `check` (article entries, story entries,
//! the entry of a folder's stories, in packs): a cached
//! run prints exactly what an uncached one prints; damaged entries are
//! rebuilt, never trusted; an edited article misses its entry and its
//! story's, and the folder's stories are grouped again; packs do not grow
//! with edits; the cache can be turned off.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use corroborate::cli::cache::{live_entries, Entry};
use corroborate::cli::pack::PACKS;

mod common;

const SEEDS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/seeds");

struct Setup {
    _tmp: tempfile::TempDir,
    articles: PathBuf,
    cache: PathBuf,
}

fn setup() -> Setup {
    let tmp = tempfile::tempdir().expect("tempdir");
    let articles = tmp.path().join("articles");
    fs::create_dir(&articles).expect("mkdir");
    for e in fs::read_dir(SEEDS).expect("seeds") {
        let p = e.expect("entry").path();
        if p.extension().is_some_and(|x| x == "txt") {
            fs::copy(&p, articles.join(p.file_name().expect("name"))).expect("copy");
        }
    }
    let cache = tmp.path().join("cache");
    Setup {
        _tmp: tmp,
        articles,
        cache,
    }
}

/// `check --format json .` in the articles folder: (stdout, stderr).
fn check(s: &Setup, extra: &[&str], env: &[(&str, &str)]) -> (String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_corroborate"));
    cmd.current_dir(&s.articles)
        .args(["check", "--format", "json", "."])
        .args(extra)
        .env_remove("CORROBORATE_NO_CACHE")
        .env("CORROBORATE_CACHE_DIR", &s.cache);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let o = cmd.output().expect("run corroborate");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

/// Every live entry (articles, stories, the folder's).
fn entries(cache: &Path) -> Vec<Entry> {
    live_entries(cache)
}

/// The live entries of a kind ('a' articles, 's' stories, 'c' the folder's
/// stories, 'g' the folder's grouping), by name.
fn entries_of(cache: &Path, kind: char) -> Vec<Entry> {
    let mut v = live_entries(cache);
    v.retain(|e| e.kind == kind);
    v
}

fn names(entries: &[Entry]) -> Vec<[u8; 32]> {
    entries.iter().map(|e| e.name).collect()
}

fn records(entries: &[Entry]) -> Vec<Vec<u8>> {
    entries.iter().map(|e| e.record.clone()).collect()
}

/// The entries but the folder's grouping ('g'): what the next run that
/// groups the folder reads to regroup it after an edit. A run whose stories
/// come from the cache does not group, so it does not store that entry
/// again when damage took it; the next run that groups does.
fn but_grouping(mut entries: Vec<Entry>) -> Vec<Entry> {
    entries.retain(|e| e.kind != 'g');
    entries
}

fn walk(d: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = fs::read_dir(d) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// How many times `needle` occurs in `hay`.
fn occurrences(hay: &[u8], needle: &[u8]) -> usize {
    hay.windows(needle.len()).filter(|w| *w == needle).count()
}

fn contents(files: &[PathBuf]) -> Vec<Vec<u8>> {
    files
        .iter()
        .map(|f| fs::read(f).expect("read entry"))
        .collect()
}

#[test]
fn cached_runs_print_what_uncached_runs_print() {
    let s = setup();
    let (uncached, _) = check(&s, &["--no-cache"], &[]);
    assert!(entries(&s.cache).is_empty(), "--no-cache wrote the cache");
    assert!(uncached.contains("\"relations\""));
    let (cold, _) = check(&s, &[], &[]);
    assert_eq!(entries_of(&s.cache, 'a').len(), 5, "one entry per article");
    assert!(!entries_of(&s.cache, 's').is_empty(), "story entries");
    assert_eq!(entries_of(&s.cache, 'c').len(), 1, "the folder's stories");
    let files = walk(&s.cache);
    let written = contents(&files);
    let (warm, _) = check(&s, &[], &[]);
    assert_eq!(cold, uncached);
    assert_eq!(warm, uncached);
    // A warm run reads; it does not write (not even an entry again).
    assert_eq!(walk(&s.cache), files);
    assert_eq!(contents(&files), written);
    // Packs only: no temporary files are left behind.
    assert!(files
        .iter()
        .all(|f| f.extension().is_some_and(|x| x == "pack")));
}

/// The language server stores the entries of the articles it indexes (after
/// the index is ready, on a thread of its own), and `check` reads them.
#[test]
fn the_servers_index_fills_the_cache_that_check_reads() {
    let s = setup();
    // The server's paths are absolute, and a key covers the path: so are
    // these runs'.
    let check_abs = |extra: &[&str]| {
        let o = Command::new(env!("CARGO_BIN_EXE_corroborate"))
            .args(["check", "--format", "json"])
            .args(extra)
            .arg(&s.articles)
            .env_remove("CORROBORATE_NO_CACHE")
            .env("CORROBORATE_CACHE_DIR", &s.cache)
            .output()
            .expect("run corroborate");
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let uncached = check_abs(&["--no-cache"]);
    assert!(uncached.contains("\"relations\""));
    let mut c = common::Client::start_env(&[
        ("CORROBORATE_CACHE_DIR", s.cache.as_os_str()),
        ("CORROBORATE_NO_CACHE", std::ffi::OsStr::new("")),
    ]);
    c.initialize(&s.articles, false);
    c.indexed().expect("indexing ends");
    // The entries come after the index: wait for all five (or the timeout).
    let end = std::time::Instant::now() + common::TIMEOUT;
    while entries_of(&s.cache, 'a').len() < 5 && std::time::Instant::now() < end {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let by_server = entries_of(&s.cache, 'a');
    assert_eq!(by_server.len(), 5, "one entry per indexed article");
    assert_eq!(check_abs(&[]), uncached);
    // `check` found them valid: it read them and did not store them again
    // (an entry stored again is its record again, byte for byte).
    assert_eq!(entries_of(&s.cache, 'a'), by_server);
    let packs = contents(&walk(&s.cache));
    for e in &by_server {
        let n: usize = packs.iter().map(|p| occurrences(p, &e.record)).sum();
        assert_eq!(n, 1, "check stored again an entry the server stored");
    }
}

#[test]
fn damaged_entries_are_rebuilt() {
    let s = setup();
    let (uncached, _) = check(&s, &["--no-cache"], &[]);
    check(&s, &[], &[]);
    let good = records(&but_grouping(entries(&s.cache)));
    assert!(!good.is_empty());
    let grouping = records(&entries_of(&s.cache, 'g'));
    assert_eq!(grouping.len(), 1, "the folder's grouping");
    // Every pack truncated, emptied, garbage, one flipped byte in its last
    // payload, another version in its first record: each kind of damage in
    // a round of its own (how many packs the entries fall in depends on the
    // paths' hashes).
    for damage in 0..5 {
        let files = walk(&s.cache);
        assert!(!files.is_empty());
        for f in &files {
            let g = fs::read(f).expect("pack");
            let bad: Vec<u8> = match damage {
                0 => g[..g.len() / 2].to_vec(),
                1 => Vec::new(),
                2 => b"not a cache entry at all".repeat(20),
                3 => {
                    let mut b = g.clone();
                    let last = b.len() - 1;
                    b[last] ^= 0x01;
                    b
                }
                _ => {
                    let mut b = g.clone();
                    b[8] = b[8].wrapping_add(1);
                    b
                }
            };
            fs::write(f, bad).expect("damage");
        }
        let (out, _) = check(&s, &[], &[]);
        assert_eq!(out, uncached, "damage {damage}");
        assert_eq!(
            records(&but_grouping(entries(&s.cache))),
            good,
            "entries stored again (damage {damage})"
        );
        let g = records(&entries_of(&s.cache, 'g'));
        assert!(
            g.is_empty() || g == grouping,
            "the grouping as it was, or none (damage {damage})"
        );
        // And found by the next run, which stores nothing.
        let packs = contents(&walk(&s.cache));
        assert_eq!(check(&s, &[], &[]).0, uncached);
        assert_eq!(contents(&walk(&s.cache)), packs, "damage {damage}");
    }
}

#[test]
fn an_edited_article_misses_its_entry() {
    let s = setup();
    check(&s, &[], &[]);
    let before = entries_of(&s.cache, 'a');
    let stories_before = entries_of(&s.cache, 's');
    // Edit one article: a figure and a sentence.
    let mut names_: Vec<PathBuf> = walk(&s.articles);
    names_.sort();
    let target = names_.first().expect("an article").clone();
    let text = fs::read_to_string(&target).expect("read");
    let edited = format!("{text}\nThe agency said 4,321 people were evacuated on Monday.\n");
    fs::write(&target, edited).expect("edit");
    let (cached, _) = check(&s, &[], &[]);
    let (uncached, _) = check(&s, &["--no-cache"], &[]);
    assert_eq!(cached, uncached);
    assert!(cached.contains("4,321"));
    let after = entries_of(&s.cache, 'a');
    assert_eq!(
        names(&after),
        names(&before),
        "the entry is replaced, not added"
    );
    let changed = before.iter().zip(&after).filter(|(a, b)| a != b).count();
    assert_eq!(changed, 1, "only the edited article's entry changes");
    // The edited article's story has a new key: its entry is replaced, not
    // added beside the old one.
    let stories_after = entries_of(&s.cache, 's');
    assert_eq!(
        names(&stories_after),
        names(&stories_before),
        "story entries replaced"
    );
    let changed = stories_before
        .iter()
        .zip(&stories_after)
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(
        changed, 1,
        "only the edited article's story's entry changes"
    );
    // However often it is edited; and the packs do not grow with the edits:
    // one whose replaced records outweigh its live ones is compacted.
    for n in 0..8 {
        let text = fs::read_to_string(&target).expect("read");
        fs::write(
            &target,
            format!("{text}\nOfficials counted {n} more shelters.\n"),
        )
        .expect("edit");
        let (cached, _) = check(&s, &[], &[]);
        assert_eq!(cached, check(&s, &["--no-cache"], &[]).0);
        assert_eq!(names(&entries_of(&s.cache, 's')), names(&stories_before));
        assert_eq!(names(&entries_of(&s.cache, 'a')), names(&before));
    }
    // (A pack is compacted when its dead records outweigh its live ones, at
    // the start of a run, which then appends: at most three times its live
    // bytes. Without compaction, the edited article's pack would hold its
    // ten records.)
    let live = entries(&s.cache);
    for pack in walk(&s.cache) {
        let stem = pack.file_stem().map(|n| n.to_string_lossy().into_owned());
        let held: usize = live
            .iter()
            .filter(|e| Some(format!("{:02x}", usize::from(e.name[0]) % PACKS)) == stem)
            .map(|e| e.record.len())
            .sum();
        let size = fs::read(&pack).expect("pack").len();
        assert!(
            size <= 3 * held,
            "{}: {size} bytes for {held} bytes of entries",
            pack.display()
        );
    }
    assert!(walk(&s.cache)
        .iter()
        .all(|f| f.extension().is_some_and(|x| x == "pack")));
}

/// The ids of the claims of one source in a `check --format json` report,
/// and the number of relations that name one of them.
fn relations_of_source(report: &str, source_suffix: &str) -> usize {
    let v: serde_json::Value = serde_json::from_str(report).expect("json");
    let ids: Vec<&serde_json::Value> = v["claims"]
        .as_array()
        .expect("claims")
        .iter()
        .filter(|c| {
            c["source"]
                .as_str()
                .is_some_and(|p| p.ends_with(source_suffix))
        })
        .map(|c| &c["id"])
        .collect();
    assert!(!ids.is_empty(), "claims of {source_suffix}");
    v["relations"]
        .as_array()
        .expect("relations")
        .iter()
        .filter(|r| ids.contains(&&r["a"]) || ids.contains(&&r["b"]))
        .count()
}

/// How the folder's documents group into stories is cached with the keys
/// of all its articles: an edit that moves an article into the seeds'
/// story is seen (a stale grouping would leave it alone, without
/// relations), and the new grouping replaces the old one in its file.
#[test]
fn an_edit_that_regroups_the_folder_is_not_answered_from_the_cache() {
    let s = setup();
    let extra = s.articles.join("zz-extra.txt");
    fs::write(
        &extra,
        "Harbour bakery wins regional prize\n\nPublished: 2024-05-02\n\n\
         The Lindqvist bakery on Quay Street won the regional bread prize on Saturday, \
         the judges said. Its owner, Marta Lindqvist, opened the shop in 2011 with two ovens.\n",
    )
    .expect("write");
    let (cold, _) = check(&s, &[], &[]);
    assert_eq!(
        relations_of_source(&cold, "zz-extra.txt"),
        0,
        "alone at first"
    );
    let first = entries_of(&s.cache, 'c');
    assert_eq!(first.len(), 1, "one entry for the folder's stories");
    // It becomes another outlet's copy of a seed article.
    let mut seeds: Vec<PathBuf> = walk(&s.articles)
        .into_iter()
        .filter(|p| p != &extra)
        .collect();
    seeds.sort();
    let seed = seeds.first().expect("a seed article");
    fs::copy(seed, &extra).expect("copy");
    let (cached, _) = check(&s, &[], &[]);
    let (uncached, _) = check(&s, &["--no-cache"], &[]);
    assert_eq!(cached, uncached);
    assert!(
        relations_of_source(&cached, "zz-extra.txt") > 0,
        "joined the story"
    );
    let after = entries_of(&s.cache, 'c');
    assert_eq!(
        names(&after),
        names(&first),
        "the folder's entry is replaced, not added"
    );
    assert_ne!(after, first);
    // An article added to the folder, then removed: the same entry again.
    let added = s.articles.join("zz-added.txt");
    fs::copy(seed, &added).expect("copy");
    let (cached, _) = check(&s, &[], &[]);
    assert_eq!(cached, check(&s, &["--no-cache"], &[]).0);
    fs::remove_file(&added).expect("remove");
    let (cached, _) = check(&s, &[], &[]);
    assert_eq!(cached, uncached);
    assert_eq!(
        names(&entries_of(&s.cache, 'c')),
        names(&first),
        "one entry for the folder"
    );
}

#[test]
fn the_environment_turns_the_cache_off() {
    let s = setup();
    let (out, _) = check(&s, &[], &[("CORROBORATE_NO_CACHE", "1")]);
    assert!(entries(&s.cache).is_empty());
    let (on, _) = check(&s, &[], &[("CORROBORATE_NO_CACHE", "0")]);
    assert_eq!(on, out);
    assert_eq!(entries_of(&s.cache, 'a').len(), 5);
}

#[test]
fn an_unusable_cache_directory_is_a_warning() {
    let s = setup();
    let (uncached, _) = check(&s, &["--no-cache"], &[]);
    fs::write(&s.cache, "a file where the cache directory should be").expect("write");
    let (out, err) = check(&s, &[], &[]);
    assert_eq!(out, uncached);
    assert_eq!(err.matches("cannot write the cache").count(), 1, "{err}");
}
