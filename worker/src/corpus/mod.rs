//! The corpus: a tenant's past tickets (`tickets`), knowledge base (`kb_articles`) and inventory
//! (`assets`). Every write to those three tables is in this module, and so are the searches over them; no
//! other code holds SQL for them.
//!
//! | table         | written by                                                    | file          |
//! |---------------|---------------------------------------------------------------|---------------|
//! | `tickets`     | the job (every processed ticket) and the import, two rules    | `tickets.rs`  |
//! | `kb_articles` | the import                                                    | `articles.rs` |
//! | `assets`      | the import                                                    | `assets.rs`   |
//!
//! Each file states its table's conflict rule; `tickets.rs` puts the webhook's and the import's side by side.
//! [`import`] is the public API for already-parsed rows (the CLI's `import`, the demo's seed); [`search`]
//! is what the gather stage asks. Every text is clipped to the limits of [`limits`] before it is stored or
//! turned into a `tsvector`.

mod articles;
mod assets;
pub mod import;
pub mod limits;
pub mod search;
mod tickets;

pub use tickets::index_ticket;
pub(crate) use tickets::{bind_ticket, webhook_upsert_after};

/// What an upsert did to its row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Written {
    New,
    Updated,
}

impl Written {
    /// From `RETURNING (xmax = 0)`: true for a freshly inserted row.
    fn from_new(new: bool) -> Self {
        if new { Written::New } else { Written::Updated }
    }
}
