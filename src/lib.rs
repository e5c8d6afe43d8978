//! airstore-wasm: the Airstore OAuth client.
//!
//! Three layers:
//! - [`core`]: plain Rust that knows the contract: requests, answers, errors,
//!   retries and the poll schedule, as state machines that do no I/O. No JS
//!   in it; `cargo test` covers it on the host with a simulated clock.
//! - `platform` (wasm only): the global `fetch`, `AbortController` and timers,
//!   and async drivers of the core over them, for Rust programs.
//! - `bindings` (wasm only): the JS classes, option validation and JS errors;
//!   the npm package's calls are driven by `js/driver.js` over the core's
//!   state machines, not by Rust futures (smaller and faster: docs/speed.md).
// A panic traps the wasm instance: none of these outside tests.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing))]

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod platform;

#[cfg(target_arch = "wasm32")]
mod bindings;

// The package's wasm: lol_alloc's free list (address-ordered, coalescing)
// instead of dlmalloc. `AssumeSingleThreaded` is sound only without threads,
// hence `not(atomics)`: a threaded build keeps the default allocator. The
// feature sets the global allocator, so it is not additive: a Rust program
// with its own `#[global_allocator]` must leave it off (it is off by default).
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics"), feature = "small-allocator"))]
#[global_allocator]
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    // SAFETY: wasm32-unknown-unknown without the atomics feature has one thread.
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };
