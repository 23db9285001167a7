//! The on-disk cache of analysed articles and of the relations of each
//! story, so that checking a large folder again only redoes what changed.
//!
//! An entry per article path (kind `a`), holding the article's analysis
//! ([`crate::core::persist`]); one per story (kind `s`, named by the
//! path of its first article, keyed by the keys of its articles and the
//! engine configuration), holding its relations; and one per set of folders
//! checked together (kind `c`), holding how their documents group into
//! stories, keyed by the keys of all their articles. Entries are records
//! of 64 append-only packs ([`super::pack`], which says why not a file
//! per entry, and how records are written, found, checked and compacted),
//! under a directory per cache version (`v5`).
//!
//! A record carries a checksum (xxh3-64), which only guards against damage
//! (a truncated or altered pack): what the entry is for is the key's
//! business, a strong hash. xxh3 reads the payload several times faster
//! than blake3, which hashing every payload was a twentieth of a `check`
//! with a warm cache.
//!
//! The key is a blake3 hash of the version, the engine fingerprint (a hash of
//! the analysis sources, made by `build.rs`), the path, the text (its own
//! blake3 hash) and the metadata overrides: an edited article, another
//! engine or another format is a miss. A record that is truncated, damaged,
//! of another version or that does not decode is a miss too, never
//! trusted: the article is parsed again and its entry stored again.
//!
//! An edit replaces its article's and its story's entries (their names stay,
//! their keys change); a story whose first article changes (an article
//! added before it, or it removed) leaves its old entry behind, at most one
//! per article path. Deleting the cache directory is always safe. The
//! entries of an older version (its own `v…` subdirectory) are deleted by
//! the first cache a process opens.
//!
//! Where: `$CORROBORATE_CACHE_DIR` if set, else `$XDG_CACHE_HOME/corroborate`,
//! else `~/.cache/corroborate`. Off with `--no-cache` or
//! `CORROBORATE_NO_CACHE=1`.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use super::pack::{Packs, Slot};
use crate::core::terms::Term;
use crate::core::{persist, Article, Corpus, DocId, EngineConfig, MetaOverride, Relation};

/// Prefixes what the keys hash.
const MAGIC: &[u8; 8] = b"CORROBC\0";
/// The version of the cache: its directory (`v…`) and its records. It
/// follows the entries' encoding, [`persist::FORMAT`], two ahead since the
/// entries were packed ([`super::pack`]; `v3` had a file per entry, `v4`
/// 256 packs, `v5` 64): bumping either bumps it.
pub const VERSION: u32 = persist::FORMAT + 2;
/// Hash of the analysis sources this binary was built from (see build.rs).
const ENGINE: &str = env!("CORROBORATE_ENGINE");

/// The kinds of entries ([`Slot::kind`]).
const ARTICLE: u8 = b'a';
const STORY: u8 = b's';
const STORIES: u8 = b'c';
const GROUPING: u8 = b'g';

/// What names and keys an article's entry ([`Cache::article_owned`]), and
/// the entries of the stories it is the first article of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArticleKeys {
    /// The hash of what the entry's content is a function of (path, text,
    /// overrides, format, engine).
    pub key: [u8; 32],
    /// Where the article lies ([`place`]): names its entry.
    pub place: [u8; 32],
}

/// The version of an article that its file's entry held before an edit
/// ([`Cache::article_owned_since`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Previous {
    /// That version's key ([`ArticleKeys::key`]).
    pub key: [u8; 32],
    /// The distinct terms of its sentences, in order of term id.
    pub terms: Vec<Term>,
}

/// The hash of an article's canonical path, which names its entry: an edit
/// rewrites the entry of the same file.
fn place(canonical: &Path) -> [u8; 32] {
    *blake3::hash(canonical.to_string_lossy().as_bytes()).as_bytes()
}

/// [`place`] of a path not yet canonical (`fs::canonicalize`, or the path
/// as given when that fails).
fn place_of_path(path: &str) -> [u8; 32] {
    match std::fs::canonicalize(path) {
        Ok(abs) => place(&abs),
        Err(_) => place(Path::new(path)),
    }
}

pub struct Cache {
    packs: Packs,
    engine: [u8; 16],
    warned: AtomicBool,
    pub hits: AtomicU64,
    pub misses: AtomicU64,
}

/// The engine fingerprint as the entries hold it: its first 16 bytes.
fn engine() -> [u8; 16] {
    let mut engine = [0u8; 16];
    for (e, b) in engine.iter_mut().zip(ENGINE.bytes()) {
        *e = b;
    }
    engine
}

/// Whether the environment turns the cache off (`CORROBORATE_NO_CACHE`
/// set to anything but "" or "0").
pub fn disabled_by_env() -> bool {
    std::env::var_os("CORROBORATE_NO_CACHE").is_some_and(|v| !v.is_empty() && v != "0")
}

/// The cache directory the environment designates, if any.
pub fn default_dir() -> Option<PathBuf> {
    let abs = |v: std::ffi::OsString| {
        let p = PathBuf::from(v);
        p.is_absolute().then_some(p)
    };
    if let Some(p) = std::env::var_os("CORROBORATE_CACHE_DIR").filter(|v| !v.is_empty()) {
        return Some(PathBuf::from(p));
    }
    if let Some(p) = std::env::var_os("XDG_CACHE_HOME").and_then(abs) {
        return Some(p.join("corroborate"));
    }
    std::env::var_os("HOME")
        .and_then(abs)
        .map(|h| h.join(".cache").join("corroborate"))
}

/// Removes the subdirectories of `dir` that hold the entries of an older
/// version (`v1`, `v2`… below [`VERSION`]): no binary of this
/// version reads them again, and each is as large as the cache (a tenth of
/// a gigabyte for 10,000 articles). Only a directory made of nothing but
/// packs (two hex digits and `.pack`) and temporary `.tmp-…` files, or (up to
/// `v3`) of entry shards (two hex digits, holding `a-….bin`, `s-….bin`,
/// `c-….bin` and temporary files) is removed: the cache directory can be set to
/// any folder, and a `v1` of the user's own is left alone. Errors are
/// ignored (the next run tries again); a newer format's directory is never
/// touched (a newer binary may share the cache).
fn remove_older_formats(dir: &Path) {
    let Ok(list) = std::fs::read_dir(dir) else {
        return;
    };
    for e in list.flatten() {
        let name = e.file_name();
        let older = name
            .to_str()
            .and_then(|n| n.strip_prefix('v'))
            .filter(|v| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit()))
            .and_then(|v| v.parse::<u32>().ok())
            .is_some_and(|v| v < VERSION);
        let path = e.path();
        if older && e.file_type().is_ok_and(|t| t.is_dir()) && only_entries(&path) {
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}

/// Whether a version directory holds nothing but packs, or entry shards
/// and entries.
fn only_entries(dir: &Path) -> bool {
    let entry_file = |n: &str| {
        (["a-", "s-", "c-"].iter().any(|p| n.starts_with(p)) && n.ends_with(".bin"))
            || n.starts_with(".tmp-")
    };
    let hex2 = |n: &str| n.len() == 2 && n.bytes().all(|b| b.is_ascii_hexdigit());
    let Ok(shards) = std::fs::read_dir(dir) else {
        return false;
    };
    for shard in shards {
        let Ok(shard) = shard else { return false };
        let name = shard.file_name();
        let Some(name) = name.to_str() else {
            return false;
        };
        let is_file = shard.file_type().is_ok_and(|t| t.is_file());
        let pack = name.strip_suffix(".pack").is_some_and(hex2);
        if is_file && (pack || name.starts_with(".tmp-")) {
            continue;
        }
        if !hex2(name) || !shard.file_type().is_ok_and(|t| t.is_dir()) {
            return false;
        }
        let Ok(files) = std::fs::read_dir(shard.path()) else {
            return false;
        };
        for f in files {
            let Ok(f) = f else { return false };
            let plain = f.file_type().is_ok_and(|t| t.is_file());
            if !plain || !f.file_name().to_str().is_some_and(entry_file) {
                return false;
            }
        }
    }
    true
}

impl Cache {
    /// A cache in `dir` (created on first write). Entries of one format
    /// version live in their own subdirectory.
    pub fn new(dir: &Path) -> Cache {
        let engine = engine();
        // Once per process (the server makes a cache per indexing pass), on
        // a thread of its own: unlinking a large old cache takes seconds of
        // disk time that neither `check` nor the server's indexing waits
        // for (a `check` that ends first leaves the rest to the next run).
        static SWEPT: std::sync::Once = std::sync::Once::new();
        SWEPT.call_once(|| {
            let dir = dir.to_path_buf();
            let spawned = std::thread::Builder::new()
                .name("cache-sweep".into())
                .spawn(move || remove_older_formats(&dir));
            if let Err(e) = spawned {
                eprintln!("corroborate: warning: cannot sweep old cache formats: {e}");
            }
        });
        Cache {
            packs: Packs::new(dir.join(format!("v{VERSION}")), VERSION, engine),
            engine,
            warned: AtomicBool::new(false),
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        }
    }

    /// The cache `check` uses: `None` when turned off.
    pub fn from_env(no_cache: bool) -> Option<Cache> {
        if no_cache || disabled_by_env() {
            return None;
        }
        default_dir().map(|d| Cache::new(&d))
    }

    /// The key of an article's entry. The text is hashed on its own, then
    /// its hash with the rest: fed to one hasher after the other parts, the
    /// text started mid-chunk and blake3 hashed its chunks one at a time
    /// (about three times the instructions of hashing them side by side).
    ///
    /// The path is not part of it: an article's analysis is a function of
    /// its text and overrides (`Article::analyse`; the entry holds neither
    /// path nor text), and the entry is named by the canonical path. So
    /// `check` given a relative folder and the server, which gives absolute
    /// paths, share the entries of a file (and of its stories) instead of
    /// replacing each other's at every run.
    fn key(&self, text: &str, overrides: &MetaOverride) -> [u8; 32] {
        let text_hash = blake3::hash(text.as_bytes());
        let mut h = blake3::Hasher::new();
        h.update(MAGIC);
        h.update(&VERSION.to_le_bytes());
        h.update(&self.engine);
        h.update(&(text.len() as u64).to_le_bytes());
        h.update(text_hash.as_bytes());
        let o = format!("{overrides:?}");
        h.update(&(o.len() as u64).to_le_bytes());
        h.update(o.as_bytes());
        *h.finalize().as_bytes()
    }

    /// The entry of an article path: named by its canonical path
    /// (`fs::canonicalize`, or the path as given when that fails; see
    /// [`place`]).
    fn entry_of(&self, path: &str) -> Slot {
        article_slot(&place_of_path(path))
    }

    /// The pack holding the entry of an article path.
    pub fn pack_of(&self, path: &str) -> PathBuf {
        self.packs.path_of(&self.entry_of(path))
    }

    /// The key of a story: the keys of its articles, in order, and the
    /// engine configuration.
    pub fn story_key(&self, article_keys: &[[u8; 32]], config: &EngineConfig) -> [u8; 32] {
        self.keys_key(b"story", article_keys, config)
    }

    /// The hash of what decides a story's relations, or a corpus's
    /// stories: the keys of the articles, in order, and the configuration.
    fn keys_key(&self, what: &[u8], article_keys: &[[u8; 32]], config: &EngineConfig) -> [u8; 32] {
        let mut h = blake3::Hasher::new();
        h.update(what);
        h.update(MAGIC);
        h.update(&VERSION.to_le_bytes());
        h.update(&self.engine);
        let c = format!("{config:?}");
        h.update(&(c.len() as u64).to_le_bytes());
        h.update(c.as_bytes());
        h.update(&(article_keys.len() as u64).to_le_bytes());
        for k in article_keys {
            h.update(k);
        }
        *h.finalize().as_bytes()
    }

    /// The entry of a story, named by the place of its first article
    /// ([`ArticleKeys::place`]): an edit of one of its articles replaces the
    /// story's entry (its key changes, not its name), and stories
    /// come and go with their first articles, so a folder has at most an
    /// entry per article however often it is edited.
    fn story_slot(first: &[u8; 32]) -> Slot {
        let mut h = blake3::Hasher::new();
        h.update(b"story");
        h.update(first);
        Slot {
            kind: STORY,
            name: *h.finalize().as_bytes(),
        }
    }

    /// The relations of a story of `corpus`: from the cache when a valid
    /// entry exists for exactly these articles, else computed and stored.
    /// `key_of` gives each article's key as the lookup of its entry made it
    /// ([`Cache::article_owned`]): hashing every text again was a twentieth
    /// of a `check` with a warm cache. A story with an article without keys
    /// (or without articles) is computed, not cached. `label` keeps the
    /// labels (and the reasons that are not fixed phrases) of the relations,
    /// read from the entry ([`persist::decode_relations`]) or computed
    /// ([`Corpus::story_relations_keeping`]).
    pub fn story_relations(
        &self,
        corpus: &Corpus,
        story: &[DocId],
        keys_of: impl Fn(DocId) -> Option<ArticleKeys>,
        label: fn(&str) -> &'static str,
    ) -> Vec<Relation> {
        let keys: Option<Vec<ArticleKeys>> = story.iter().map(|&d| keys_of(d)).collect();
        let Some(first) = keys.as_ref().and_then(|k| k.first()) else {
            return corpus.story_relations_keeping(story, label);
        };
        let slot = Self::story_slot(&first.place);
        let keys: Vec<[u8; 32]> = keys.iter().flatten().map(|k| k.key).collect();
        let key = self.story_key(&keys, &corpus.config);
        let claims = |d: DocId| corpus.article(d).map_or(0, |a| a.claims.len());
        if let Some(rels) = self.read_entry(&slot, &key, |p| {
            p.and_then(|p| persist::decode_relations(story, claims, p, label))
        }) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return rels;
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        let rels = corpus.story_relations_keeping(story, label);
        if let Some(payload) = persist::encode_relations(story, &rels) {
            self.write_entry_with(&slot, &key, |out| out.extend_from_slice(&payload));
        }
        rels
    }

    /// The entry of a corpus's stories (how its documents group, what
    /// [`Corpus::stories`] returns, a function of all their articles and
    /// the configuration). It is keyed by the keys of its articles in the
    /// order they are inserted, from which the document ids follow, and
    /// named by `names` (the caller's: `check` gives the folders the files
    /// lie in): a folder checked again finds the entry of its last run, and
    /// after an edit, or an article added or removed, the new stories
    /// replace the old ones instead of piling up beside them.
    pub fn stories_entry<'n>(
        &self,
        names: impl IntoIterator<Item = &'n [u8]>,
        article_keys: &[[u8; 32]],
        config: &EngineConfig,
    ) -> StoriesEntry {
        let mut h = blake3::Hasher::new();
        for n in names {
            h.update(&(n.len() as u64).to_le_bytes());
            h.update(n);
        }
        StoriesEntry {
            slot: Slot {
                kind: STORIES,
                name: *h.finalize().as_bytes(),
            },
            key: self.keys_key(b"stories", article_keys, config),
        }
    }

    /// The stories of the entry's corpus, of `docs` documents, if a valid
    /// entry holds them.
    pub fn stories(&self, entry: &StoriesEntry, docs: usize) -> Option<Vec<Vec<DocId>>> {
        let found = self.read_entry(&entry.slot, &entry.key, |p| {
            p.and_then(|p| persist::decode_stories(p, docs))
        });
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    /// Stores the stories of the entry's corpus.
    pub fn store_stories(&self, entry: &StoriesEntry, stories: &[Vec<DocId>]) {
        self.write_entry_with(&entry.slot, &entry.key, |out| {
            persist::encode_stories_into(stories, out)
        });
    }

    /// The entry of a folder's grouping ([`persist::SavedGrouping`]): named
    /// as the folder's stories entry (`stories`, [`Cache::stories_entry`])
    /// is, and keyed by the engine and configuration only, so that the run
    /// after an edit finds the grouping of the run before and regroups from
    /// it.
    pub fn grouping_entry(&self, stories: &StoriesEntry, config: &EngineConfig) -> StoriesEntry {
        StoriesEntry {
            slot: Slot {
                kind: GROUPING,
                name: stories.slot.name,
            },
            key: self.keys_key(b"grouping", &[], config),
        }
    }

    /// The grouping the entry holds, if valid.
    pub fn grouping(&self, entry: &StoriesEntry) -> Option<persist::SavedGrouping> {
        self.read_entry(&entry.slot, &entry.key, |p| {
            p.and_then(persist::decode_grouping)
        })
    }

    /// Stores a folder's grouping.
    pub fn store_grouping(&self, entry: &StoriesEntry, g: &persist::SavedGrouping) {
        self.write_entry_with(&entry.slot, &entry.key, |out| {
            persist::encode_grouping_into(g, out)
        });
    }

    /// The cached analysis of this exact article, if a valid entry exists.
    pub fn load(&self, path: &str, text: &str, overrides: &MetaOverride) -> Option<Article> {
        let key = self.key(text, overrides);
        self.load_from(&self.entry_of(path), &key, path, text)
    }

    fn load_from(&self, slot: &Slot, key: &[u8; 32], path: &str, text: &str) -> Option<Article> {
        self.read_entry(slot, key, |p| {
            p.and_then(|p| persist::decode(path, text, p))
        })
    }

    /// `f` of the payload of `slot`'s entry when it is valid and under
    /// `key`, else of `None`.
    fn read_entry<R>(&self, slot: &Slot, key: &[u8; 32], f: impl FnOnce(Option<&[u8]>) -> R) -> R {
        self.packs.read(slot, |got| {
            f(got.filter(|(k, _)| *k == key).map(|(_, p)| p))
        })
    }

    /// Stores the entry whose payload `fill` appends to the buffer it is
    /// given; a failure is a warning, once.
    fn write_entry_with(&self, slot: &Slot, key: &[u8; 32], fill: impl FnOnce(&mut Vec<u8>)) {
        if let Err(e) = self.packs.write(slot, key, fill) {
            if !self.warned.swap(true, Ordering::Relaxed) {
                eprintln!(
                    "corroborate: warning: cannot write the cache in {}: {e} (continuing without it)",
                    self.packs.dir().display()
                );
            }
        }
    }

    /// [`Cache::article`] taking the path and text it keeps in the article
    /// (no copy of the text), with the article's keys (for
    /// [`Cache::story_relations`]). `canonical` is the path's canonical form
    /// (what `fs::canonicalize` gives) when the caller knows it; else the
    /// path is canonicalised here.
    pub fn article_owned(
        &self,
        path: String,
        text: String,
        overrides: &MetaOverride,
        canonical: Option<&Path>,
    ) -> (Article, ArticleKeys) {
        let (a, keys, _) = self.article_owned_since(path, text, overrides, canonical);
        (a, keys)
    }

    /// [`Cache::article_owned`], and when the file's entry held another
    /// version of it (an edit since), that version's key and the distinct
    /// terms of its sentences (`persist::sentence_terms`): what a grouping
    /// saved by an earlier run needs to take the edit up
    /// ([`Cache::grouping`]).
    pub fn article_owned_since(
        &self,
        path: String,
        text: String,
        overrides: &MetaOverride,
        canonical: Option<&Path>,
    ) -> (Article, ArticleKeys, Option<Previous>) {
        let place = canonical.map_or_else(|| place_of_path(&path), place);
        let slot = article_slot(&place);
        let key = self.key(&text, overrides);
        let keys = ArticleKeys { key, place };
        let found = self.packs.read(&slot, |got| match got {
            Some((k, p)) if *k == key => {
                persist::decode_owned(path, text, p).map_err(|back| (back, None))
            }
            Some((k, p)) => Err((
                (path, text),
                persist::sentence_terms(p).map(|terms| Previous { key: *k, terms }),
            )),
            None => Err(((path, text), None)),
        });
        let ((path, text), previous) = match found {
            Ok(a) => {
                self.hits.fetch_add(1, Ordering::Relaxed);
                return (a, keys, None);
            }
            Err(back) => back,
        };
        self.misses.fetch_add(1, Ordering::Relaxed);
        let a = Article::parse_owned(path, text, overrides);
        self.store(&Miss { slot, key }, &a);
        (a, keys, previous)
    }

    /// An analysed article: from the cache when valid, else parsed and stored.
    pub fn article(&self, path: &str, text: &str, overrides: &MetaOverride) -> Article {
        self.article_owned(path.to_string(), text.to_string(), overrides, None)
            .0
    }

    /// The cached analysis of this exact article, or the [`Miss`] with which
    /// to store it once parsed (now, or later: the server stores the
    /// entries of a workspace it indexes after the index is ready); with
    /// the article's keys either way, for the entries of its stories
    /// ([`Cache::story_relations`]).
    pub fn lookup(
        &self,
        path: &str,
        text: &str,
        overrides: &MetaOverride,
    ) -> (Result<Article, Miss>, ArticleKeys) {
        // One canonicalisation of the path and one key for the lookup and
        // the store (errors storing: one warning, then silence).
        let place = place_of_path(path);
        let slot = article_slot(&place);
        let key = self.key(text, overrides);
        let keys = ArticleKeys { key, place };
        if let Some(a) = self.load_from(&slot, &key, path, text) {
            self.hits.fetch_add(1, Ordering::Relaxed);
            return (Ok(a), keys);
        }
        self.misses.fetch_add(1, Ordering::Relaxed);
        (Err(Miss { slot, key }), keys)
    }

    /// Stores `a`, the article of the lookup that missed. It must be the
    /// parse of that lookup's path, text and overrides: the key says so.
    pub fn store(&self, miss: &Miss, a: &Article) {
        self.write_entry_with(&miss.slot, &miss.key, |out| persist::encode_into(a, out));
    }
}

/// The entry of the article at `place` ([`place`]; the walk of `check`
/// knows the canonical paths without a `canonicalize` per file, several
/// system calls each).
fn article_slot(place: &[u8; 32]) -> Slot {
    Slot {
        kind: ARTICLE,
        name: *place,
    }
}

/// Where the stories of a corpus are kept, and the key they must match
/// ([`Cache::stories_entry`]).
pub struct StoriesEntry {
    slot: Slot,
    key: [u8; 32],
}

/// A lookup that found no valid entry: where and under which key the
/// article's entry goes.
#[derive(Debug)]
pub struct Miss {
    slot: Slot,
    key: [u8; 32],
}

/// An entry of the cache, as [`live_entries`] lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// `'a'` an article, `'s'` a story, `'c'` a folder's stories, `'g'`
    /// a folder's grouping.
    pub kind: char,
    /// What names it (the hash of a path, of a story's first path…).
    pub name: [u8; 32],
    /// Its whole record, header included.
    pub record: Vec<u8>,
}

/// The live entries of the cache in `dir` (as given to [`Cache::new`]), of
/// this version and engine, ordered by kind and name: what a cache holds,
/// for tests and diagnostics.
pub fn live_entries(dir: &Path) -> Vec<Entry> {
    super::pack::live_entries(&dir.join(format!("v{VERSION}")), VERSION, &engine())
        .into_iter()
        .map(|e| Entry {
            kind: char::from(e.slot.kind),
            name: e.slot.name,
            record: e.bytes,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "Ferry sinks\n\nPublished: 2024-05-02\n\n\
        The ferry carried more than 300 passengers when it sank on Tuesday, the coast guard said.\n";

    fn same(a: &Article, b: &Article) -> bool {
        format!("{:?}{:?}{:?}", a.meta, a.sentences, a.claims)
            == format!("{:?}{:?}{:?}", b.meta, b.sentences, b.claims)
    }

    #[test]
    fn hit_after_store_and_miss_after_edit() {
        let dir = tempfile::tempdir().expect("tempdir");
        let c = Cache::new(dir.path());
        let o = MetaOverride::default();
        assert!(c.load("a.txt", TEXT, &o).is_none());
        let a = c.article("a.txt", TEXT, &o);
        let b = c.load("a.txt", TEXT, &o).expect("cached");
        assert!(same(&a, &b));
        // The entry lies in the pack of its name's first byte, in the
        // version's directory.
        let file = c.pack_of("a.txt");
        assert!(file.is_file());
        let pack = c.entry_of("a.txt").pack();
        assert_eq!(
            file.file_name().map(|n| n.to_string_lossy().into_owned()),
            Some(format!("{pack:02x}.pack"))
        );
        assert_eq!(
            file.parent(),
            Some(dir.path().join(format!("v{VERSION}")).as_path())
        );
        assert_eq!(live_entries(dir.path()).len(), 1);
        let edited = TEXT.replace("300", "400");
        assert!(c.load("a.txt", &edited, &o).is_none());
        let o2 = MetaOverride {
            outlet: Some("Other".into()),
            ..Default::default()
        };
        assert!(c.load("a.txt", TEXT, &o2).is_none());
    }

    #[test]
    fn stories_are_kept_per_list_of_files_and_trusted_only_for_their_articles() {
        let dir = tempfile::tempdir().expect("tempdir");
        let c = Cache::new(dir.path());
        let config = EngineConfig::default();
        let names: [&[u8]; 3] = [b"/n/a.txt", b"/n/b.txt", b"/n/c.txt"];
        let keys = [[1u8; 32], [2; 32], [3; 32]];
        let stories = vec![vec![0, 2], vec![1]];
        let entry = c.stories_entry(names, &keys, &config);
        assert_eq!(c.stories(&entry, 3), None);
        c.store_stories(&entry, &stories);
        assert_eq!(c.stories(&entry, 3), Some(stories.clone()));
        // Another count of documents: not this corpus.
        assert_eq!(c.stories(&entry, 4), None);
        // The same files with one article edited, or in another order: the
        // same entry, another key, a miss.
        let edited = c.stories_entry(names, &[[1; 32], [9; 32], [3; 32]], &config);
        assert_eq!(edited.slot, entry.slot);
        assert_eq!(c.stories(&edited, 3), None);
        let reordered = c.stories_entry(names, &[[2; 32], [1; 32], [3; 32]], &config);
        assert_eq!(c.stories(&reordered, 3), None);
        let other_config = EngineConfig {
            story_threshold: config.story_threshold + 0.1,
            ..config.clone()
        };
        assert_eq!(
            c.stories(&c.stories_entry(names, &keys, &other_config), 3),
            None
        );
        // Other files: an entry of their own, beside the first.
        let other = c.stories_entry([b"/m/a.txt".as_slice()], &keys[..1], &config);
        assert_ne!(other.slot, entry.slot);
        c.store_stories(&other, &[vec![0]]);
        assert_eq!(c.stories(&entry, 3), Some(stories));
        // The edited corpus's stories replace the first ones.
        c.store_stories(&edited, &[vec![0, 1, 2]]);
        assert_eq!(c.stories(&edited, 3), Some(vec![vec![0, 1, 2]]));
        assert_eq!(c.stories(&entry, 3), None);
    }

    #[test]
    fn a_miss_stored_later_is_a_hit_and_one_buffer_serves_many_stores() {
        let dir = tempfile::tempdir().expect("tempdir");
        let other = tempfile::tempdir().expect("tempdir");
        let c = Cache::new(dir.path());
        let o = MetaOverride::default();
        let texts = [TEXT.to_string(), TEXT.replace("300", "400"), String::new()];
        let mut pending = Vec::new();
        for (i, t) in texts.iter().enumerate() {
            let path = format!("{i}.txt");
            let (Err(miss), keys) = c.lookup(&path, t, &o) else {
                panic!("{path}: a hit in an empty cache");
            };
            // The keys `check` gives the article (asked of a cache of its
            // own: this one stays empty): its stories' entries are shared
            // with the server's.
            assert_eq!(
                keys,
                Cache::new(other.path())
                    .article_owned(path.clone(), t.clone(), &o, None)
                    .1
            );
            pending.push((miss, Article::parse(&path, t, &o)));
        }
        // Nothing is written before the stores.
        assert!(c.lookup("0.txt", &texts[0], &o).0.is_err());
        for (miss, a) in &pending {
            c.store(miss, a);
        }
        for (i, t) in texts.iter().enumerate() {
            let (Ok(got), _) = c.lookup(&format!("{i}.txt"), t, &o) else {
                panic!("entry {i}: a miss after its store");
            };
            assert!(same(&got, &pending[i].1), "entry {i}");
        }
    }

    /// A cache directory (returned, to keep it) holding the entry of
    /// `a.txt` (`TEXT`), written by a first cache: the article, the pack
    /// holding the entry and its bytes (the entry's record alone).
    fn stored_entry() -> (tempfile::TempDir, Article, PathBuf, Vec<u8>) {
        let dir = tempfile::tempdir().expect("tempdir");
        let c = Cache::new(dir.path());
        let a = c.article("a.txt", TEXT, &MetaOverride::default());
        let file = c.pack_of("a.txt");
        let good = std::fs::read(&file).expect("entry written");
        (dir, a, file, good)
    }

    #[test]
    fn damaged_entries_are_misses_and_rebuilt() {
        let (dir, a, file, good) = stored_entry();
        let o = MetaOverride::default();
        let head = super::super::pack::RECORD_HEADER;
        let mut damaged: Vec<Vec<u8>> = vec![
            Vec::new(),
            good[..head - 1].to_vec(),
            good[..good.len() - 1].to_vec(),
        ];
        for i in [0, 9, 20, 40, 70, 90, head + 3, good.len() - 1] {
            let mut b = good.clone();
            b[i] ^= 0x5A;
            damaged.push(b);
        }
        for d in damaged {
            std::fs::write(&file, &d).expect("write");
            // (A new cache for each: a cache reads a pack once.)
            let c = Cache::new(dir.path());
            assert!(c.load("a.txt", TEXT, &o).is_none());
            // The next use parses again and stores a valid entry, which
            // the next cache finds.
            let b = c.article("a.txt", TEXT, &o);
            assert!(same(&a, &b));
            let entries = live_entries(dir.path());
            assert_eq!(entries.len(), 1);
            assert_eq!(entries[0].record, good);
            assert!(Cache::new(dir.path()).load("a.txt", TEXT, &o).is_some());
        }
    }

    #[test]
    fn any_damaged_byte_or_length_is_a_miss() {
        let (dir, a, file, good) = stored_entry();
        let o = MetaOverride::default();
        let fresh = || Cache::new(dir.path());
        assert!(fresh().load("a.txt", TEXT, &o).is_some());
        // Every byte of the header and of the payload is checked: a flipped
        // bit anywhere, or a byte less, is rejected.
        for i in 0..good.len() {
            for bit in [0x01, 0x80] {
                let mut b = good.clone();
                b[i] ^= bit;
                std::fs::write(&file, &b).expect("write");
                assert!(
                    fresh().load("a.txt", TEXT, &o).is_none(),
                    "byte {i} ^ {bit:#x}"
                );
            }
        }
        for n in [0, 1, super::super::pack::RECORD_HEADER, good.len() - 1] {
            std::fs::write(&file, &good[..n]).expect("write");
            assert!(fresh().load("a.txt", TEXT, &o).is_none(), "first {n} bytes");
        }
        // Bytes after a whole record (another writer's half-written one)
        // do not hide it.
        let mut longer = good.clone();
        longer.extend_from_slice(&good[..40]);
        std::fs::write(&file, &longer).expect("write");
        assert!(fresh().load("a.txt", TEXT, &o).is_some());
        // A directory where the pack should be: a miss, then the store
        // fails quietly and the article is still parsed.
        std::fs::remove_file(&file).expect("remove");
        std::fs::create_dir(&file).expect("mkdir");
        let c = fresh();
        assert!(c.load("a.txt", TEXT, &o).is_none());
        assert!(same(&a, &c.article("a.txt", TEXT, &o)));
    }

    /// The entry of a file is named by its canonical path and keyed
    /// without its path: known canonical or not, and under another spelling
    /// of its path (as `check` is given a folder, and as the server has
    /// it), the file finds the same entry, and an article with the path it
    /// was asked by.
    #[test]
    fn a_known_canonical_path_names_the_same_entry() {
        let dir = tempfile::tempdir().expect("tempdir");
        let c = Cache::new(dir.path());
        let o = MetaOverride::default();
        let art = dir.path().join("art.txt");
        std::fs::write(&art, TEXT).expect("write");
        let path = art.display().to_string();
        let canonical = std::fs::canonicalize(&art).expect("canonical");
        let (a, key) = c.article_owned(path.clone(), TEXT.into(), &o, Some(&canonical));
        assert!(c.pack_of(&path).is_file());
        assert_eq!(article_slot(&key.place), c.entry_of(&path));
        let hits = c.hits.load(Ordering::Relaxed);
        let (b, key2) = c.article_owned(path, TEXT.into(), &o, None);
        assert_eq!(c.hits.load(Ordering::Relaxed), hits + 1);
        assert_eq!(key, key2);
        assert!(same(&a, &b));
        let dotted = dir.path().join(".").join("art.txt").display().to_string();
        let (found, key3) = c.lookup(&dotted, TEXT, &o);
        assert_eq!(c.hits.load(Ordering::Relaxed), hits + 2);
        assert_eq!(key, key3);
        let d = found.expect("a hit");
        assert_eq!(d.path, dotted);
        assert!(same(&a, &d));
    }

    #[test]
    fn older_format_directories_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path();
        let v = |n: u32| root.join(format!("v{n}"));
        let write = |p: PathBuf, name: &str| {
            std::fs::create_dir_all(&p).expect("mkdir");
            std::fs::write(p.join(name), b"x").expect("write");
        };
        let (older, oldest) = (VERSION - 1, VERSION - 2);
        // An older version's entries (a file each), with a temporary file
        // left behind.
        write(v(older).join("ab"), "a-0123.bin");
        write(v(older).join("ab"), "s-4567.bin");
        write(v(older).join("0f"), ".tmp-12-3");
        // An older version directory that is empty.
        std::fs::create_dir_all(v(oldest)).expect("mkdir");
        // An older version's packs.
        let packed = VERSION - 3;
        write(v(packed), "00.pack");
        write(v(packed), "ff.pack");
        write(v(packed), ".tmp-1-2");
        // This version's entries and a newer version's are kept.
        write(v(VERSION), "cd.pack");
        write(v(VERSION + 1), "cd.pack");
        // Folders of the user's that only look like format directories.
        write(v(0), "notes.txt");
        write(v(0).join("ab"), "a-0123.bin");
        write(root.join("v00x"), "a-0123.bin");
        remove_older_formats(root);
        assert!(!v(older).exists() && !v(oldest).exists() && !v(packed).exists());
        for kept in [
            v(VERSION).join("cd.pack"),
            v(VERSION + 1).join("cd.pack"),
            v(0).join("notes.txt"),
            v(0).join("ab").join("a-0123.bin"),
            root.join("v00x").join("a-0123.bin"),
        ] {
            assert!(kept.exists(), "{} was removed", kept.display());
        }
        // A shard holding anything else keeps its directory too, and so
        // does a directory of packs beside anything else.
        write(v(older).join("ab"), "a-0123.bin");
        write(v(older).join("ab"), "draft.md");
        write(v(packed), "00.pack");
        write(v(packed), "notes.txt");
        remove_older_formats(root);
        assert!(v(older).join("ab").join("draft.md").exists());
        assert!(v(packed).join("00.pack").exists());
        // A missing cache directory is no error.
        remove_older_formats(&root.join("missing"));
    }

    #[test]
    fn unwritable_cache_is_not_an_error() {
        let dir = tempfile::tempdir().expect("tempdir");
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "x").expect("write");
        // The cache directory would have to be inside a regular file.
        let c = Cache::new(&blocker);
        let a = c.article("a.txt", TEXT, &MetaOverride::default());
        assert!(!a.claims.is_empty());
    }
}
