//! The analysis core: text → claims → facts → verdicts.
//!
//! Nothing in this module does I/O or knows about the language server; the
//! CLI and the server are thin adapters over [`Corpus`] and [`Analysis`].

pub mod analysis;
pub mod article;
pub mod claim;
pub mod compare;
pub mod corpus;
pub mod dates;
pub mod entity;
pub mod lexicon;
pub mod persist;
pub mod quantity;
pub mod terms;
pub mod text;

pub use analysis::{Analysis, Fact, Verdict};
pub use article::{Meta, MetaOverride};
pub use claim::{Article, Claim, ClaimKind};
pub use compare::{Relation, RelationKind};
pub use corpus::{ClaimRef, Corpus, DocId, EngineConfig};
