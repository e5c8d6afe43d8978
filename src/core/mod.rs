//! The contract in plain Rust: no I/O, no JS. The calls are state machines
//! ([`machine`]) fed with answers, failures, the clock and randomness;
//! [`client`] drives them over the [`client::Platform`] trait.

pub mod check;
pub mod client;
pub mod config;
pub mod error;
pub mod json;
pub mod machine;
pub mod poll;
pub mod request;
pub mod response;
pub mod retry;
pub mod text;
pub mod types;

pub use client::{Platform, TransportError};
pub use config::{ClientConfig, RequestOverrides};
pub use error::{Error, ErrorClass};
pub use types::{CreateSessionParams, OAuthSession, SessionState, SessionStatus};
