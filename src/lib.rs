//! airstore-wasm: the Airstore OAuth client.
//!
//! Three layers:
//! - [`core`]: plain Rust that knows the contract: requests, answers, errors,
//!   retries and the poll schedule, as state machines that do no I/O. No JS
//!   in it; `cargo test` covers it on the host with a simulated clock.
//! - [`platform`] (wasm only): the global `fetch`, `AbortController`,
//!   gloo-timers and the caller's `AbortSignal`, as the [`core::Platform`]
//!   that [`core::client`]'s async drivers run the calls on.
//! - `bindings` (wasm only): the JS face, `Airstore` and `OAuth`, whose
//!   methods are `async fn`s over those drivers: the npm package's calls
//!   and a Rust program's run the same code.
//!
//! A Rust program compiled to wasm (a workers-rs Worker, say) calls the
//! client without going through JS values:
//!
//! ```no_run
//! # #[cfg(target_arch = "wasm32")]
//! # async fn example() -> Result<(), airstore_wasm::core::Error<airstore_wasm::platform::JsHeaders, wasm_bindgen::JsValue>> {
//! use airstore_wasm::core::{client, ClientConfig, CreateSessionParams, RequestOverrides};
//! use airstore_wasm::platform::WebPlatform;
//!
//! let config = ClientConfig { api_key: Some("org_…".into()), ..ClientConfig::default() };
//! let platform = WebPlatform::new(None); // or with a CancelSignal
//! let params = CreateSessionParams { integration_type: "gmail".into(), ..Default::default() };
//! let (session, _meta) = client::create_session(&platform, &config, &params, &RequestOverrides::default()).await?;
//! // send the user to session.authorize_url, then:
//! let (status, _meta) = client::poll(&platform, &config, &session.session_id, Default::default(), &RequestOverrides::default(), |_, _| Ok(()), || false).await?;
//! assert_eq!(status.connection_id.is_some(), true);
//! # Ok(())
//! # }
//! ```
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
