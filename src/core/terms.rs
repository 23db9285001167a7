//! Interned terms. Every content word of every article is a stem folded
//! through the lexicon; storing each as a `u32` id instead of a `String`
//! divides the memory of a large workspace several times over and turns term
//! comparison into integer comparison. The interner is process-wide and
//! thread-safe (`lasso`), so articles parsed in parallel share one vocabulary.

use std::sync::OnceLock;

use lasso::{Key, Spur};
use rustc_hash::FxBuildHasher;

/// The interner, hashing with Fx: its keys are short words, and the
/// default SipHash was a measurable share of parsing (`callgrind`).
type ThreadedRodeo = lasso::ThreadedRodeo<Spur, FxBuildHasher>;

fn new_rodeo() -> ThreadedRodeo {
    ThreadedRodeo::with_hasher(FxBuildHasher)
}

/// An interned, folded stem.
pub type Term = u32;

fn rodeo() -> &'static ThreadedRodeo {
    static R: OnceLock<ThreadedRodeo> = OnceLock::new();
    R.get_or_init(new_rodeo)
}

/// The id of a (stemmed, folded) term.
pub fn intern(s: &str) -> Term {
    rodeo().get_or_intern(s).into_usize() as Term
}

/// The id of a term if it was ever seen.
pub fn get(s: &str) -> Option<Term> {
    rodeo().get(s).map(|k| k.into_usize() as Term)
}

/// A name or a label shared by every article that writes it: the text is
/// stored once for the process (a separate table from the terms'), so a
/// claim holds a pointer instead of its own `String`. Like the terms, the
/// table only grows; it holds the distinct names and fact labels seen.
pub fn symbol(s: &str) -> &'static str {
    // Each thread remembers the symbols it was given: a name is asked for
    // again and again (every capitalised word of every claim), and the
    // shared table's lookup and resolve, behind its locks, cost about
    // three times a lookup in a map of the thread's own (parse_only c200
    // callgrind, with `names`, `month_number` and one digit test:
    // 1,304.6M -> 1,258.1M). Like the table, the map only holds
    // symbols handed out, so it answers what the table would. It holds the
    // symbols themselves, not copies of their text (copies, up to 200,000
    // per thread, raised the peak memory of `check` on 10,000 articles by
    // about 10 MB).
    //
    // Texts of up to 15 bytes (most names) are keyed by their bytes packed
    // in one integer, as `intern_memo` keys words: no key read through its
    // pointer and compared byte by byte.
    thread_local! {
        static SHORT: std::cell::RefCell<rustc_hash::FxHashMap<u128, &'static str>> =
            std::cell::RefCell::new(rustc_hash::FxHashMap::default());
        static SEEN: std::cell::RefCell<rustc_hash::FxHashSet<&'static str>> =
            std::cell::RefCell::new(rustc_hash::FxHashSet::default());
    }
    if let Some(k) = super::text::pack_wide(s.as_bytes()) {
        return super::text::short_memo(&SHORT, k, 100_000, || shared_symbol(s));
    }
    SEEN.with(|seen| match seen.try_borrow_mut() {
        Ok(mut seen) => {
            if let Some(&sym) = seen.get(s) {
                return sym;
            }
            let sym = shared_symbol(s);
            if seen.len() > 100_000 {
                seen.clear();
            }
            seen.insert(sym);
            sym
        }
        Err(_) => shared_symbol(s),
    })
}

/// [`symbol`] from the process's table.
fn shared_symbol(s: &str) -> &'static str {
    static R: OnceLock<ThreadedRodeo> = OnceLock::new();
    let r: &'static ThreadedRodeo = R.get_or_init(new_rodeo);
    let k = r.get_or_intern(s);
    // The key was just handed out, so it resolves.
    r.try_resolve(&k).unwrap_or("")
}

/// The text of a term ("" for an id never handed out).
///
/// Each thread keeps the texts it was given, by id (the interner's ids are
/// dense): a story's index resolves its whole vocabulary, about a million
/// terms per ten thousand articles, and the shared table's lookup (a
/// sharded map behind read locks that both threads take) cost 59
/// instructions a term, and more in time than in instructions (`perf`:
/// 0.7 % of a first run's samples, against 0.3 % of its instructions).
/// A text once handed out never changes, so the thread's copy of the
/// pointer answers what the table would. The copy holds 16 bytes for each
/// id up to the highest the thread resolved: at most the interner's
/// number of terms, for each thread that resolves.
pub fn resolve(t: Term) -> &'static str {
    thread_local! {
        static TEXTS: std::cell::RefCell<Vec<&'static str>> =
            const { std::cell::RefCell::new(Vec::new()) };
    }
    let i = t as usize;
    TEXTS.with(|texts| match texts.try_borrow_mut() {
        Ok(mut texts) => {
            if let Some(&s) = texts.get(i).filter(|s| !s.is_empty()) {
                return s;
            }
            let s = resolve_shared(t);
            if !s.is_empty() {
                if texts.len() <= i {
                    texts.resize(i + 1, "");
                }
                if let Some(slot) = texts.get_mut(i) {
                    *slot = s;
                }
            }
            s
        }
        Err(_) => resolve_shared(t),
    })
}

/// [`resolve`] from the process's table.
fn resolve_shared(t: Term) -> &'static str {
    match Spur::try_from_usize(t as usize) {
        Some(k) => rodeo().try_resolve(&k).unwrap_or(""),
        None => "",
    }
}

/// Local ids of global terms, given in order of first use, for a story's
/// index and an article's cache entry: a table indexed by the global id
/// (which the interner gives densely) holding each term's local id plus
/// one, 0 for a term not met yet, instead of a hash map from term to local
/// id (a story looks up every term of every sentence and window, about a
/// million lookups per thousand articles; with the table, `check` on 1,000
/// articles ran 11 M fewer instructions, callgrind).
///
/// The table is the thread's, kept between uses: [`LocalIds::take`] takes
/// it (all zero), [`LocalIds::give_back`] zeroes the entries of the terms
/// met and gives it back. A story's index holds it as long as it lives (its
/// lookups of terms are the table's, [`LocalIds::get`]). A use nested on
/// the same thread (an article's cache entry written while an index lives)
/// takes an empty table and works the same; a table never given back is
/// only memory to allocate again.
#[derive(Default)]
pub(crate) struct LocalIds(Vec<u32>);

thread_local! {
    static LOCAL_IDS: std::cell::Cell<Vec<u32>> = const { std::cell::Cell::new(Vec::new()) };
}

impl LocalIds {
    pub(crate) fn take() -> LocalIds {
        LocalIds(LOCAL_IDS.with(std::cell::Cell::take))
    }

    /// The local id of `t`, appended to `met` (the terms met so far, in
    /// order, whose positions are the local ids) if it is new.
    #[inline]
    pub(crate) fn id(&mut self, met: &mut Vec<Term>, t: Term) -> u32 {
        if let Some(&i) = self.0.get(t as usize) {
            if i != 0 {
                return i - 1;
            }
        }
        let i = met.len() as u32;
        met.push(t);
        if self.0.len() <= t as usize {
            self.0.resize(t as usize + 1, 0);
        }
        if let Some(slot) = self.0.get_mut(t as usize) {
            *slot = i + 1;
        }
        i
    }

    /// The local id of `t`, if it was given one.
    #[inline]
    pub(crate) fn get(&self, t: Term) -> Option<u32> {
        self.0.get(t as usize).and_then(|&i| i.checked_sub(1))
    }

    /// Zeroes the entries of `met` (every term given an id) and gives the
    /// table back to the thread.
    pub(crate) fn give_back(mut self, met: &[Term]) {
        for &t in met {
            if let Some(slot) = self.0.get_mut(t as usize) {
                *slot = 0;
            }
        }
        let table = std::mem::take(&mut self.0);
        LOCAL_IDS.with(|c| c.set(table));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_ids_in_order_of_first_use_and_fresh_after_give_back() {
        let (a, b, c) = (
            intern("local-ids-a"),
            intern("local-ids-b"),
            intern("local-ids-c"),
        );
        let mut met = Vec::new();
        let mut ids = LocalIds::take();
        assert_eq!(
            [b, a, b, c, a].map(|t| ids.id(&mut met, t)),
            [0, 1, 0, 2, 1]
        );
        assert_eq!(met, vec![b, a, c]);
        // Looked up without being given one.
        assert_eq!([a, b, c].map(|t| ids.get(t)), [Some(1), Some(0), Some(2)]);
        assert_eq!(ids.get(intern("local-ids-never-met")), None);
        // A use nested on the thread meanwhile starts from its own table.
        let mut inner_met = Vec::new();
        let mut inner = LocalIds::take();
        assert_eq!(inner.id(&mut inner_met, c), 0);
        inner.give_back(&inner_met);
        ids.give_back(&met);
        // The next use finds every term new again.
        let mut met = Vec::new();
        let mut ids = LocalIds::take();
        assert_eq!(ids.get(a), None);
        assert_eq!([c, b].map(|t| ids.id(&mut met, t)), [0, 1]);
        ids.give_back(&met);
    }

    #[test]
    fn round_trip() {
        let a = intern("zebra-test-term");
        assert_eq!(intern("zebra-test-term"), a);
        assert_eq!(resolve(a), "zebra-test-term");
        // Asked again (from the thread's copy), and from another thread.
        assert_eq!(resolve(a), "zebra-test-term");
        let other = std::thread::spawn(move || resolve(a).to_string())
            .join()
            .unwrap_or_default();
        assert_eq!(other, "zebra-test-term");
        // An id never handed out has no text, and is not remembered as one.
        assert_eq!(resolve(u32::MAX - 1), "");
        assert_eq!(resolve(intern("zebra-test-term-2")), "zebra-test-term-2");
        assert_eq!(get("zebra-test-term"), Some(a));
        assert_eq!(get("never-seen-term-xyz"), None);
    }

    #[test]
    fn symbols_are_stored_once() {
        let a = symbol("pena nieto");
        let b = symbol(&String::from("pena nieto"));
        assert_eq!(a, "pena nieto");
        assert!(std::ptr::eq(a, b));
        assert_eq!(symbol(""), "");
        // Asked again (from the thread's map), and from another thread.
        assert!(std::ptr::eq(symbol("pena nieto"), a));
        let other = std::thread::spawn(|| symbol("pena nieto").as_ptr() as usize)
            .join()
            .unwrap_or(0);
        assert_eq!(other, a.as_ptr() as usize);
    }
}
