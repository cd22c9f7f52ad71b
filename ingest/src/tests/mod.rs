//! Unit tests of the whole router over in-memory fakes (`fakes`): each row of the HTTP contract, its status,
//! JSON code and headers, and what reached admission and the broker. The same rows run against real
//! services in `tests/it/ingest_contract.rs`.

mod fakes;
mod router_contract;
