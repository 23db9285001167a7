//! The storage of the analysis cache ([`super::cache`]): named records in
//! 64 append-only files ("packs", `00.pack` … `3f.pack`, chosen by the
//! first byte of a record's name), instead of a file per entry.
//!
//! Why not a file per entry: a cold `check` of 10,000 articles made 12,000
//! of them, and creating a file is the file system's dearest operation
//! (allocating an inode: a quarter of a cold run's samples on ext4, and 0.5
//! to 2 s of system time). A pack is created once; storing an entry is an
//! append to a file this process keeps open, and reading one is a `pread`
//! at an offset the pack's index gives. A cache keeps one descriptor per
//! pack it touched, for reading and appending: 64 at the most, well within
//! the usual limit of 1,024 even with a few caches alive in the server.
//!
//! A record:
//!
//! ```text
//! magic "CORROBP\0" | format u32 | engine (16 bytes) | kind u8 | name (32) |
//! key (32) | payload length u64 | xxh3-64 of bytes 8.. of the header and of the payload (8) | payload
//! ```
//!
//! A record is written with one `write` to a file opened for appending, so
//! that two processes appending at once do not interleave their records
//! (Linux holds the file's lock for the whole write). A name's latest valid
//! record is its entry; the records before it are dead. Readers index a
//! pack once (the first time a cache touches it): they read it whole, walk
//! its records and keep the offset of each name's latest valid one.
//! Damage is found there: a record whose checksum, length or magic is wrong
//! is skipped, and the walk looks for the next magic after its start, so
//! that a damaged or half-written record hides nothing after it. Records of
//! another engine or format are never read; the latest record of a slot,
//! whatever its engine, replaces the slot's earlier ones (as with a file per
//! entry: the last writer of a slot wins, and two binaries that share a
//! cache keep their other entries).
//!
//! When a pack's dead bytes outnumber its live ones, the reader that indexes
//! it writes its live records to a temporary file and renames that over
//! the pack. Appends another process makes to the old file meanwhile are
//! lost, which is a miss next time, never a wrong hit. Records are never
//! rewritten in place: the bytes of an open pack do not change under its
//! readers.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use rustc_hash::FxHashMap;

const MAGIC: &[u8; 8] = b"CORROBP\0";
/// The bytes before a record's payload.
pub const RECORD_HEADER: usize = 8 + 4 + 16 + 1 + 32 + 32 + 8 + 8;
/// Where the checksum lies in the header.
const SUM_AT: usize = RECORD_HEADER - 8;
/// Packs larger than this are not read (nor appended to): they are removed,
/// the cache's entries being only ever a copy of what can be computed again.
const MAX_PACK_BYTES: u64 = 1 << 30;
/// Above this, a thread's buffer is not kept for the next record.
const KEEP: usize = 1 << 20;
/// How many packs a directory has.
pub const PACKS: usize = 64;

/// Numbers the temporary files of this process (one counter for the whole
/// process: two caches of one process must not share a temporary name).
static TMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// What a record is, and which: its kind (a byte of the caller's) and its
/// name (a hash), which also chooses its pack.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Slot {
    pub kind: u8,
    pub name: [u8; 32],
}

impl Slot {
    /// The number of its pack.
    pub fn pack(&self) -> usize {
        usize::from(self.name[0]) % PACKS
    }
}

/// The packs of one directory.
pub struct Packs {
    dir: PathBuf,
    format: u32,
    engine: [u8; 16],
    /// Per pack, its index, built at the pack's first use.
    shards: Vec<Mutex<Option<Index>>>,
}

#[derive(Default)]
struct Index {
    /// The pack, opened for reading and appending (for reading only when
    /// it cannot be written); none when it does not exist yet.
    file: Option<Arc<File>>,
    writable: bool,
    /// Per slot, its latest valid record: offset and length.
    at: FxHashMap<Slot, (u64, usize)>,
}

/// A valid record found in bytes.
struct Parsed<'b> {
    slot: Slot,
    key: [u8; 32],
    payload: &'b [u8],
    /// The whole record: header and payload.
    bytes: &'b [u8],
    /// Of this format and engine.
    ours: bool,
}

/// A pack's live record, as [`live_entries`] lists them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveEntry {
    pub slot: Slot,
    pub key: [u8; 32],
    /// The whole record, header included.
    pub bytes: Vec<u8>,
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The checksum of a record: xxh3-64 of its header after the magic (up to
/// the checksum) and of its payload.
fn checksum(head: &[u8], payload: &[u8]) -> [u8; 8] {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(head.get(8..SUM_AT).unwrap_or_default());
    h.update(payload);
    h.digest().to_le_bytes()
}

/// The record at the start of `b`, if it is whole and intact.
fn parse<'b>(b: &'b [u8], format: u32, engine: &[u8; 16]) -> Option<Parsed<'b>> {
    let head = b.get(..RECORD_HEADER)?;
    if head.get(..8)? != MAGIC {
        return None;
    }
    let len = usize::try_from(u64_at(head, SUM_AT - 8)?).ok()?;
    let total = RECORD_HEADER.checked_add(len)?;
    let payload = b.get(RECORD_HEADER..total)?;
    if head.get(SUM_AT..RECORD_HEADER)? != checksum(head, payload) {
        return None;
    }
    let fmt = u32::from_le_bytes(head.get(8..12)?.try_into().ok()?);
    let kind = *head.get(28)?;
    let name: [u8; 32] = head.get(29..61)?.try_into().ok()?;
    let key: [u8; 32] = head.get(61..93)?.try_into().ok()?;
    Some(Parsed {
        slot: Slot { kind, name },
        key,
        payload,
        bytes: b.get(..total)?,
        ours: fmt == format && head.get(12..28)? == engine,
    })
}

/// Every valid record of `bytes`, in order, with its offset; damaged
/// stretches are skipped up to the next magic.
fn walk<'b>(bytes: &'b [u8], format: u32, engine: &[u8; 16]) -> Vec<(usize, Parsed<'b>)> {
    let finder = memchr::memmem::Finder::new(MAGIC);
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(rest) = bytes.get(at..).filter(|r| !r.is_empty()) {
        if let Some(p) = parse(rest, format, engine) {
            let next = at + p.bytes.len();
            out.push((at, p));
            at = next;
            continue;
        }
        match rest.get(1..).and_then(|r| finder.find(r)) {
            Some(i) => at += 1 + i,
            None => break,
        }
    }
    out
}

/// The latest record of each slot among `records`, as indices into it.
/// Of any engine: as with a file per entry, the last writer of a slot
/// replaces its entry, and another engine's entries of other slots are
/// left to it (two binaries sharing a cache do not erase each other's).
fn latest(records: &[(usize, Parsed)]) -> FxHashMap<Slot, usize> {
    let mut last: FxHashMap<Slot, usize> = FxHashMap::default();
    for (i, (_, p)) in records.iter().enumerate() {
        last.insert(p.slot, i);
    }
    last
}

impl Packs {
    pub fn new(dir: PathBuf, format: u32, engine: [u8; 16]) -> Packs {
        Packs {
            dir,
            format,
            engine,
            shards: (0..PACKS).map(|_| Mutex::new(None)).collect(),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of pack `i`.
    pub fn pack_path(&self, i: usize) -> PathBuf {
        self.dir.join(format!("{i:02x}.pack"))
    }

    /// The file `slot`'s record lies in.
    pub fn path_of(&self, slot: &Slot) -> PathBuf {
        self.pack_path(slot.pack())
    }

    /// `f` of the key and payload of `slot`'s entry, or of `None` when it has
    /// none (or it cannot be read, or it is damaged). The bytes lie in this
    /// thread's buffer, reused from record to record.
    pub fn read<R>(&self, slot: &Slot, f: impl FnOnce(Option<(&[u8; 32], &[u8])>) -> R) -> R {
        let found = self.with_index(slot.pack(), |index| {
            let at = *index.at.get(slot)?;
            Some((index.file.clone()?, at))
        });
        let Some((file, (offset, len))) = found.flatten() else {
            return f(None);
        };
        with_buffer(|buf| {
            if buf.len() < len {
                buf.resize(len, 0);
            }
            let got = buf
                .get_mut(..len)
                .and_then(|b| file.read_exact_at(b, offset).ok().map(|()| &*b))
                .and_then(|b| parse(b, self.format, &self.engine))
                .filter(|p| p.ours && p.slot == *slot);
            f(got.as_ref().map(|p| (&p.key, p.payload)))
        })
    }

    /// Appends `slot`'s entry under `key`, whose payload `fill` appends to the
    /// buffer it is given (this thread's, reused).
    pub fn write(
        &self,
        slot: &Slot,
        key: &[u8; 32],
        fill: impl FnOnce(&mut Vec<u8>),
    ) -> std::io::Result<()> {
        with_buffer(|bytes| {
            bytes.clear();
            bytes.extend_from_slice(MAGIC);
            bytes.extend_from_slice(&self.format.to_le_bytes());
            bytes.extend_from_slice(&self.engine);
            bytes.push(slot.kind);
            bytes.extend_from_slice(&slot.name);
            bytes.extend_from_slice(key);
            bytes.extend_from_slice(&[0; 16]);
            fill(bytes);
            let len = bytes.len().saturating_sub(RECORD_HEADER) as u64;
            if let Some(l) = bytes.get_mut(SUM_AT - 8..SUM_AT) {
                l.copy_from_slice(&len.to_le_bytes());
            }
            let (head, payload) = bytes.split_at(RECORD_HEADER.min(bytes.len()));
            let sum = checksum(head, payload);
            if let Some(s) = bytes.get_mut(SUM_AT..RECORD_HEADER) {
                s.copy_from_slice(&sum);
            }
            self.append(slot, bytes)
        })
    }

    /// Appends a whole record to its pack and indexes it.
    fn append(&self, slot: &Slot, record: &[u8]) -> std::io::Result<()> {
        let i = slot.pack();
        let shard = self
            .shards
            .get(i)
            .ok_or_else(|| std::io::Error::other("no such pack"))?;
        let mut shard = shard
            .lock()
            .map_err(|_| std::io::Error::other("a writer of this pack panicked"))?;
        let index = self.index(i, &mut shard);
        let file = match &index.file {
            Some(f) if index.writable => f.clone(),
            Some(_) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::PermissionDenied,
                    "the pack is read-only",
                ))
            }
            None => {
                std::fs::create_dir_all(&self.dir)?;
                let (f, writable) = open_pack(&self.pack_path(i), true)?;
                let f = Arc::new(f);
                index.file = Some(f.clone());
                index.writable = writable;
                f
            }
        };
        let mut w: &File = &file;
        // One write: appends of two processes do not interleave.
        w.write_all(record)?;
        // Appending leaves the descriptor's position at the end of what it
        // wrote (reads are `pread`s, which leave it alone): the record is
        // just before it, whatever other processes appended before or since.
        let end = std::io::Seek::stream_position(&mut w)?;
        let offset = end.saturating_sub(record.len() as u64);
        index.at.insert(*slot, (offset, record.len()));
        Ok(())
    }

    /// `f` of pack `i`'s index (built if it is not yet); `None` if the
    /// pack's lock is poisoned.
    fn with_index<R>(&self, i: usize, f: impl FnOnce(&Index) -> R) -> Option<R> {
        let mut shard = self.shards.get(i)?.lock().ok()?;
        Some(f(self.index(i, &mut shard)))
    }

    /// Pack `i`'s index, built if it is not yet.
    fn index<'s>(&self, i: usize, shard: &'s mut Option<Index>) -> &'s mut Index {
        shard.get_or_insert_with(|| self.build_index(i))
    }

    /// Reads pack `i`, indexes its latest records, and compacts it when
    /// its dead records outweigh its live ones.
    fn build_index(&self, i: usize) -> Index {
        let path = self.pack_path(i);
        let Some((file, writable, bytes)) = read_whole(&path) else {
            return Index::default();
        };
        let records = walk(&bytes, self.format, &self.engine);
        let last = latest(&records);
        let live: usize = last
            .values()
            .filter_map(|&r| records.get(r))
            .map(|(_, p)| p.bytes.len())
            .sum();
        if bytes.len().saturating_sub(live) > live {
            if let Some(index) = self.compact(i, &records, &last) {
                return index;
            }
        }
        let at = last
            .iter()
            .filter_map(|(slot, &r)| {
                let (off, p) = records.get(r).filter(|(_, p)| p.ours)?;
                Some((*slot, (*off as u64, p.bytes.len())))
            })
            .collect();
        Index {
            file: Some(Arc::new(file)),
            writable,
            at,
        }
    }

    /// Writes the live records of pack `i` to a new file that replaces it;
    /// `None` (the pack left as it is) if that fails.
    fn compact(
        &self,
        i: usize,
        records: &[(usize, Parsed)],
        last: &FxHashMap<Slot, usize>,
    ) -> Option<Index> {
        let mut keep: Vec<usize> = last.values().copied().collect();
        keep.sort_unstable();
        let mut out = Vec::new();
        let mut at = FxHashMap::default();
        for r in keep {
            let (_, p) = records.get(r)?;
            if p.ours {
                at.insert(p.slot, (out.len() as u64, p.bytes.len()));
            }
            out.extend_from_slice(p.bytes);
        }
        let path = self.pack_path(i);
        let tmp = tmp_path(&self.dir);
        let written = (|| {
            let mut f = File::create(&tmp)?;
            f.write_all(&out)?;
            drop(f);
            std::fs::rename(&tmp, &path)
        })();
        if written.is_err() {
            let _ = std::fs::remove_file(&tmp);
            return None;
        }
        let (file, writable) = open_pack(&path, false).ok()?;
        Some(Index {
            file: Some(Arc::new(file)),
            writable,
            at,
        })
    }
}

/// A temporary file name in `dir` that no other writer of this process (any
/// cache of it) or of another uses.
fn tmp_path(dir: &Path) -> PathBuf {
    let n = TMP_COUNTER.fetch_add(1, Ordering::Relaxed);
    dir.join(format!(".tmp-{}-{n}", std::process::id()))
}

/// `f` of this thread's buffer, reused from record to record (a fresh,
/// zeroed vector per entry was a hundredth of a warm `check`); dropped
/// when it grew over [`KEEP`]. A use that re-enters on this thread (none
/// does) gets a buffer of its own instead of a panic.
fn with_buffer<R>(f: impl FnOnce(&mut Vec<u8>) -> R) -> R {
    thread_local! {
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    BUF.with(|cell| {
        let mut own = Vec::new();
        let mut guard = cell.try_borrow_mut().ok();
        let buf = guard.as_deref_mut().unwrap_or(&mut own);
        let res = f(buf);
        if buf.capacity() > KEEP {
            *buf = Vec::new();
        }
        res
    })
}

/// A pack opened for reading and appending (created if `create`), or for
/// reading only when it cannot be written: the file and whether it can be.
fn open_pack(path: &Path, create: bool) -> std::io::Result<(File, bool)> {
    let rw = std::fs::OpenOptions::new()
        .read(true)
        .append(true)
        .create(create)
        .open(path);
    match rw {
        Ok(f) => Ok((f, true)),
        Err(e) if e.kind() == std::io::ErrorKind::PermissionDenied && !create => {
            File::open(path).map(|f| (f, false))
        }
        Err(e) => Err(e),
    }
}

/// A pack's open file ([`open_pack`]), whether it can be written, and its
/// bytes; `None` if it does not exist or cannot be read. A pack over
/// [`MAX_PACK_BYTES`] is removed.
fn read_whole(path: &Path) -> Option<(File, bool, Vec<u8>)> {
    use std::io::Read;
    let (f, writable) = open_pack(path, false).ok()?;
    let len = f.metadata().ok()?.len();
    if len > MAX_PACK_BYTES {
        let _ = std::fs::remove_file(path);
        return None;
    }
    let mut bytes = Vec::with_capacity(usize::try_from(len).ok()?);
    (&f).read_to_end(&mut bytes).ok()?;
    Some((f, writable, bytes))
}

/// The live entries of the packs in `dir` (each slot's latest valid record
/// of this format and engine), ordered by kind and name: what a cache holds,
/// for tests and diagnostics.
pub fn live_entries(dir: &Path, format: u32, engine: &[u8; 16]) -> Vec<LiveEntry> {
    let mut out = Vec::new();
    for i in 0..PACKS {
        let Some((_, _, bytes)) = read_whole(&dir.join(format!("{i:02x}.pack"))) else {
            continue;
        };
        let records = walk(&bytes, format, engine);
        for (_, &r) in latest(&records).iter() {
            if let Some((_, p)) = records.get(r).filter(|(_, p)| p.ours) {
                out.push(LiveEntry {
                    slot: p.slot,
                    key: p.key,
                    bytes: p.bytes.to_vec(),
                });
            }
        }
    }
    out.sort_by_key(|e| (e.slot.kind, e.slot.name));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ENGINE: [u8; 16] = *b"engine-of-a-test";

    fn slot(pack: u8, n: u8) -> Slot {
        let mut name = [n; 32];
        name[0] = pack;
        Slot { kind: b'a', name }
    }

    fn put(p: &Packs, s: &Slot, payload: &[u8]) {
        p.write(s, &[s.name[1]; 32], |out| out.extend_from_slice(payload))
            .expect("write");
    }

    fn get(p: &Packs, s: &Slot) -> Option<Vec<u8>> {
        p.read(s, |got| {
            got.filter(|(k, _)| **k == [s.name[1]; 32])
                .map(|(_, b)| b.to_vec())
        })
    }

    #[test]
    fn the_latest_record_of_a_name_is_its_entry() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = Packs::new(dir.path().to_path_buf(), 1, ENGINE);
        let (x, y) = (slot(3, 1), slot(3, 2));
        assert_eq!(get(&p, &x), None);
        put(&p, &x, b"first");
        put(&p, &y, b"other");
        put(&p, &x, b"second");
        // This cache, and another that indexes the pack afresh.
        assert_eq!(get(&p, &x).as_deref(), Some(&b"second"[..]));
        let q = Packs::new(dir.path().to_path_buf(), 1, ENGINE);
        assert_eq!(get(&q, &x).as_deref(), Some(&b"second"[..]));
        assert_eq!(get(&q, &y).as_deref(), Some(&b"other"[..]));
        // Another kind of the same name is another entry.
        assert_eq!(get(&q, &Slot { kind: b's', ..x }), None);
        // Another version or engine reads none of them.
        assert_eq!(
            get(&Packs::new(dir.path().to_path_buf(), 2, ENGINE), &x),
            None
        );
        assert_eq!(
            get(&Packs::new(dir.path().to_path_buf(), 1, [0; 16]), &x),
            None
        );
    }

    #[test]
    fn a_damaged_record_hides_nothing_after_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = Packs::new(dir.path().to_path_buf(), 1, ENGINE);
        let s = [slot(9, 1), slot(9, 2), slot(9, 3)];
        for (i, x) in s.iter().enumerate() {
            put(&p, x, &[i as u8; 100]);
        }
        let file = p.path_of(&s[0]);
        let good = std::fs::read(&file).expect("pack");
        let len = good.len() / 3;
        // The middle record's length, checksum, payload and magic.
        for at in [
            len + SUM_AT - 3,
            len + SUM_AT + 1,
            len + RECORD_HEADER + 50,
            len + 2,
        ] {
            let mut bad = good.clone();
            bad[at] ^= 0x10;
            std::fs::write(&file, &bad).expect("write");
            let q = Packs::new(dir.path().to_path_buf(), 1, ENGINE);
            assert_eq!(get(&q, &s[0]), Some(vec![0; 100]), "byte {at}");
            assert_eq!(get(&q, &s[1]), None, "byte {at}");
            assert_eq!(get(&q, &s[2]), Some(vec![2; 100]), "byte {at}");
        }
        // A record cut short in the middle of the pack (a writer stopped).
        let mut cut = good[..len + 60].to_vec();
        cut.extend_from_slice(&good[2 * len..]);
        std::fs::write(&file, &cut).expect("write");
        let q = Packs::new(dir.path().to_path_buf(), 1, ENGINE);
        assert_eq!(get(&q, &s[1]), None);
        assert_eq!(get(&q, &s[2]), Some(vec![2; 100]));
    }

    #[test]
    fn a_pack_is_compacted_when_its_dead_records_outweigh_its_live_ones() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = Packs::new(dir.path().to_path_buf(), 1, ENGINE);
        let (x, y) = (slot(5, 1), slot(5, 2));
        put(&p, &y, &[7; 300]);
        for n in 0..2u8 {
            put(&p, &x, &[n; 100]);
        }
        // Another engine's entry of another slot is kept (not read); its
        // entry of `y`'s slot replaces `y`'s, and is then replaced.
        let other = Packs::new(dir.path().to_path_buf(), 1, [1; 16]);
        put(&other, &slot(5, 3), &[9; 50]);
        put(&other, &y, &[8; 40]);
        put(&p, &y, &[7; 300]);
        let file = p.path_of(&x);
        let before = std::fs::metadata(&file).expect("pack").len() as usize;
        let live = 3 * RECORD_HEADER + 300 + 100 + 50;
        let dead = 3 * RECORD_HEADER + 300 + 100 + 40;
        assert_eq!(before, live + dead);
        assert_eq!(get(&other, &slot(5, 3)), Some(vec![9; 50]));
        // Not yet outweighed: left as it is.
        let q = Packs::new(dir.path().to_path_buf(), 1, ENGINE);
        assert_eq!(get(&q, &x), Some(vec![1; 100]));
        assert_eq!(
            std::fs::metadata(&file).expect("pack").len() as usize,
            before
        );
        put(&q, &x, &[4; 100]);
        // Now it is: the next cache to index it keeps its live records.
        let r = Packs::new(dir.path().to_path_buf(), 1, ENGINE);
        assert_eq!(get(&r, &x), Some(vec![4; 100]));
        assert_eq!(get(&r, &y), Some(vec![7; 300]));
        assert_eq!(std::fs::metadata(&file).expect("pack").len() as usize, live);
        let fresh_other = Packs::new(dir.path().to_path_buf(), 1, [1; 16]);
        assert_eq!(get(&fresh_other, &slot(5, 3)), Some(vec![9; 50]));
        assert_eq!(get(&fresh_other, &y), None);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("dir")
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 1, "no temporary file left: {names:?}");
        // Appends go on after the compacted records.
        put(&r, &slot(5, 4), b"new");
        let s = Packs::new(dir.path().to_path_buf(), 1, ENGINE);
        assert_eq!(get(&s, &slot(5, 4)).as_deref(), Some(&b"new"[..]));
        assert_eq!(get(&s, &x), Some(vec![4; 100]));
    }

    #[test]
    fn two_caches_of_one_process_never_share_a_temporary_file() {
        let dir = Path::new("/x");
        let names: std::collections::HashSet<PathBuf> = (0..6).map(|_| tmp_path(dir)).collect();
        assert_eq!(names.len(), 6);
    }

    #[test]
    fn writers_at_once_lose_no_record() {
        let dir = tempfile::tempdir().expect("tempdir");
        // Two caches (as two processes would have), two threads each, all
        // appending to the same pack.
        let caches = [
            Packs::new(dir.path().to_path_buf(), 1, ENGINE),
            Packs::new(dir.path().to_path_buf(), 1, ENGINE),
        ];
        std::thread::scope(|sc| {
            for (c, p) in caches.iter().enumerate() {
                for t in 0..2u8 {
                    sc.spawn(move || {
                        for i in 0..50u8 {
                            let n = (c as u8) * 100 + t * 50 + i;
                            put(p, &slot(42, n), &vec![n; 500 + usize::from(n)]);
                        }
                    });
                }
            }
        });
        let q = Packs::new(dir.path().to_path_buf(), 1, ENGINE);
        for n in 0..200u8 {
            assert_eq!(
                get(&q, &slot(42, n)),
                Some(vec![n; 500 + usize::from(n)]),
                "{n}"
            );
        }
        // Each writer also finds its own records where it noted them,
        // whatever the other appended meanwhile.
        for (c, p) in caches.iter().enumerate() {
            for n in (c as u8) * 100..(c as u8) * 100 + 100 {
                let want = vec![n; 500 + usize::from(n)];
                assert_eq!(get(p, &slot(42, n)), Some(want), "{n}");
            }
        }
        let all = live_entries(dir.path(), 1, &ENGINE);
        assert_eq!(all.len(), 200);
    }

    /// The descriptors of this process open on files in `dir`.
    fn descriptors(dir: &Path) -> usize {
        std::fs::read_dir("/proc/self/fd").map_or(0, |d| {
            d.flatten()
                .filter_map(|e| std::fs::read_link(e.path()).ok())
                .filter(|target| target.starts_with(dir))
                .count()
        })
    }

    /// One descriptor per pack, for reading and writing: a cache that
    /// touches every pack holds 64, whatever it reads and writes.
    #[test]
    fn a_cache_keeps_one_descriptor_per_pack() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = std::fs::canonicalize(tmp.path()).expect("canonical");
        let p = Packs::new(dir.clone(), 1, ENGINE);
        for b in 0..=255u8 {
            put(&p, &slot(b, 1), &[b; 10]);
            put(&p, &slot(b, 2), &[b; 20]);
        }
        for b in 0..=255u8 {
            assert_eq!(get(&p, &slot(b, 1)), Some(vec![b; 10]));
        }
        assert_eq!(descriptors(&dir), PACKS);
        // A second cache reads them with as many.
        let q = Packs::new(dir.clone(), 1, ENGINE);
        for b in 0..=255u8 {
            assert_eq!(get(&q, &slot(b, 2)), Some(vec![b; 20]));
        }
        assert_eq!(descriptors(&dir), 2 * PACKS);
        drop((p, q));
        assert_eq!(descriptors(&dir), 0);
    }

    #[test]
    fn an_unusable_directory_is_an_error_to_the_writer_and_a_miss_to_the_reader() {
        let dir = tempfile::tempdir().expect("tempdir");
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "x").expect("write");
        let p = Packs::new(blocker.join("cache"), 1, ENGINE);
        assert!(p.write(&slot(1, 1), &[0; 32], |_| {}).is_err());
        assert_eq!(get(&p, &slot(1, 1)), None);
    }
}
