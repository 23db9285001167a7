//! Build script: a fingerprint of the analysis engine for the on-disk cache.
//!
//! `CORROBORATE_ENGINE` is a hash of every file under `src/core/` and of
//! `Cargo.lock` (the versions of the segmentation, stemming and date crates
//! the analysis depends on). A cached analysis is only used by a binary
//! built from the same engine; any change to the core makes every cache
//! entry a miss.

use std::path::{Path, PathBuf};

/// FNV-1a, 64 bits: stable across toolchains (the std hasher is not).
fn fnv(h: &mut u64, bytes: &[u8]) {
    for &b in bytes {
        *h ^= u64::from(b);
        *h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            files(&p, out);
        } else {
            out.push(p);
        }
    }
}

fn main() {
    println!("cargo:rerun-if-changed=src/core");
    println!("cargo:rerun-if-changed=Cargo.lock");
    let mut paths = Vec::new();
    files(Path::new("src/core"), &mut paths);
    paths.push(PathBuf::from("Cargo.lock"));
    paths.sort();
    let mut h = 0xcbf2_9ce4_8422_2325u64;
    for p in &paths {
        fnv(&mut h, p.to_string_lossy().as_bytes());
        fnv(&mut h, &[0]);
        if let Ok(b) = std::fs::read(p) {
            fnv(&mut h, &(b.len() as u64).to_le_bytes());
            fnv(&mut h, &b);
        }
        // Every directory under src/core is watched, not only its root.
        if let Some(d) = p.parent() {
            println!("cargo:rerun-if-changed={}", d.display());
        }
        println!("cargo:rerun-if-changed={}", p.display());
    }
    fnv(&mut h, env!("CARGO_PKG_VERSION").as_bytes());
    println!("cargo:rustc-env=CORROBORATE_ENGINE={h:016x}");
}
