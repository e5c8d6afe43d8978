//! The three operations as async functions over an abstract [`Platform`]:
//! each drives the call's state machine ([`super::machine`], where every
//! decision is) with the platform's exchanges, waits and clock. With a
//! simulated platform the whole behaviour runs in `cargo test`; in wasm the
//! platform is `fetch` + timers.
#![allow(async_fn_in_trait)] // one thread: no Send bound wanted

use super::config::{ClientConfig, RequestOverrides};
use super::error::Error;
use super::machine::{Call, Poll, Single, Step};
use super::poll::PollOptions;
use super::request::{self, HttpRequest};
use super::response::{Body, HeaderMap, Response, ResponseMeta};
use super::types::{CreateSessionParams, OAuthSession, SessionStatus};

/// Why an exchange produced no answer.
#[derive(Debug, Clone, PartialEq)]
pub enum TransportError<C> {
    /// DNS, TCP, TLS, CORS, a reset: `detail` says which for the message.
    Network { detail: String, cause: Option<C> },
    /// An answer this client will not read: not a `Response`, or a body over
    /// [`super::response::MAX_BODY_BYTES`]. A connection error, never retried
    /// (asking again would get the same).
    Unreadable { detail: String },
    /// The time given to `send` ran out (the exchange was aborted).
    TimedOut,
    /// The caller's signal fired (the exchange was aborted).
    Cancelled { reason: Option<C> },
}

/// The outside world: one exchange, one wait, the clock and randomness.
pub trait Platform {
    type Headers: HeaderMap + Clone;
    type Body: Body;
    /// A native error value, kept as an error's `cause`.
    type Cause: Clone;

    /// Sends `request` and reads the whole body within `timeout_ms`.
    async fn send(&self, request: &HttpRequest, timeout_ms: f64) -> Result<Response<Self::Headers, Self::Body>, TransportError<Self::Cause>>;
    /// Waits `ms`, or less if the platform has reason to look again sooner
    /// (a page that became visible). Fails only when cancelled.
    async fn sleep(&self, ms: f64) -> Result<(), TransportError<Self::Cause>>;
    /// Milliseconds since the epoch.
    fn now(&self) -> f64;
    /// Uniform in [0, 1).
    fn random(&self) -> f64;
    /// A number of milliseconds as the caller's language prints it.
    fn show_ms(&self, ms: f64) -> String {
        super::poll::format_ms(ms)
    }
}

pub type PError<P> = Error<<P as Platform>::Headers, <P as Platform>::Cause>;
/// What a poll tells the caller of each check (the status and its 1-based
/// number); an error ends the poll.
pub type OnStatus<'a, P> = &'a mut dyn FnMut(&SessionStatus, u32) -> Result<(), PError<P>>;
pub type Answer<T, P> = Result<(T, ResponseMeta<<P as Platform>::Headers>), PError<P>>;

/// Performs the steps of `call` over `platform` until it is done.
async fn drive<P: Platform, M: Call<P::Headers, P::Body, P::Cause>>(
    platform: &P,
    request: &HttpRequest,
    call: &mut M,
    on_status: OnStatus<'_, P>,
) -> Answer<M::Output, P> {
    let mut step = call.start(platform.now());
    loop {
        step = match step {
            Step::Send { budget_ms } => match platform.send(request, budget_ms).await {
                Ok(answer) => call.answered(answer, platform.now(), platform.random()),
                Err(e) => call.failed(e, platform.now(), platform.random()),
            },
            Step::Wait { ms } => match platform.sleep(ms).await {
                Ok(()) => call.woke(platform.now()),
                Err(e) => call.interrupted(e),
            },
            Step::Report { status, attempt } => {
                let told = on_status(&status, attempt);
                call.reported(told, platform.now())
            }
            Step::Done(outcome) => return outcome,
        }
    }
}

/// `POST /oauth/sessions`.
pub async fn create_session<P: Platform>(
    platform: &P,
    config: &ClientConfig,
    params: &CreateSessionParams,
    overrides: &RequestOverrides,
) -> Answer<OAuthSession, P> {
    let request = request::create_session(config, params, &overrides.headers)?;
    drive(platform, &request, &mut Single::create_session(config, overrides), &mut |_, _| Ok(())).await
}

/// `GET /oauth/sessions/{id}`.
pub async fn get_session<P: Platform>(platform: &P, config: &ClientConfig, session_id: &str, overrides: &RequestOverrides) -> Answer<SessionStatus, P> {
    let request = request::get_session(config, session_id, &overrides.headers)?;
    drive(platform, &request, &mut Single::get_session(config, overrides), &mut |_, _| Ok(())).await
}

/// Checks the session until it is `complete` (resolve) or `error` (reject),
/// or the timeout passes (reject). `on_status` sees every check with its
/// 1-based number; its error ends the poll. `window_closed` is for the popup
/// flow (see [`Poll`]).
pub async fn poll<P: Platform>(
    platform: &P,
    config: &ClientConfig,
    session_id: &str,
    options: PollOptions,
    overrides: &RequestOverrides,
    on_status: OnStatus<'_, P>,
    window_closed: &dyn Fn() -> bool,
) -> Answer<SessionStatus, P> {
    let request = request::get_session(config, session_id, &overrides.headers)?;
    let shown_timeout = platform.show_ms(options.timeout_ms);
    drive(platform, &request, &mut Poll::new(config, overrides, options, shown_timeout, window_closed), on_status).await
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
