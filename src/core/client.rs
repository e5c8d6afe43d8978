//! The three operations, driven over an abstract [`Platform`]: attempts,
//! retries, waits and the poll loop. With a simulated platform the whole
//! behaviour runs in `cargo test`; in wasm the platform is `fetch` + timers.
#![allow(async_fn_in_trait)] // one thread: no Send bound wanted

use super::config::{ClientConfig, RequestOverrides};
use super::error::{messages, Error, ErrorClass};
use super::poll::{Outcome, PollOptions, PollSchedule};
use super::request::{self, HttpRequest};
use super::response::{self, Body, HeaderMap, Response, ResponseMeta};
use super::retry;
use super::types::{CreateSessionParams, OAuthSession, SessionStatus};

/// Why an exchange produced no answer.
#[derive(Debug, Clone, PartialEq)]
pub enum TransportError<C> {
    /// DNS, TCP, TLS, CORS, a reset: `detail` says which for the message.
    Network { detail: String, cause: Option<C> },
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
pub type Answer<T, P> = Result<(T, ResponseMeta<<P as Platform>::Headers>), PError<P>>;

/// How an attempt loop ended without an answer to decode.
enum Stop<H, C> {
    Failed(Error<H, C>),
    /// The poll's deadline came first.
    Deadline,
}

fn transport_error<H, C>(e: TransportError<C>) -> Error<H, C> {
    match e {
        TransportError::Network { detail, cause } => {
            Error::airstore(format!("Connection error: {detail}")).with_class(ErrorClass::APIConnectionError).with_cause(cause)
        }
        TransportError::TimedOut => Error::airstore(messages::TIMED_OUT).with_class(ErrorClass::APIConnectionTimeoutError),
        TransportError::Cancelled { reason } => Error::airstore(messages::CANCELLED).with_cause(reason),
    }
}

/// Sends `request` until it gets an answer that is final: a success, an
/// answer that is not retryable, or the last allowed attempt. A timeout or a
/// cancellation is never retried. With a `deadline`, no attempt and no wait
/// runs past it.
async fn exchange<P: Platform>(
    platform: &P,
    request: &HttpRequest,
    timeout_ms: f64,
    max_retries: u32,
    deadline: Option<f64>,
) -> Result<Response<P::Headers, P::Body>, Stop<P::Headers, P::Cause>> {
    let mut retries_done = 0u32;
    loop {
        let left = deadline.map(|d| d - platform.now());
        if left.is_some_and(|l| l <= 0.0) {
            return Err(Stop::Deadline);
        }
        let cut_by_deadline = left.is_some_and(|l| l < timeout_ms);
        let budget = left.map_or(timeout_ms, |l| l.min(timeout_ms));
        let may_retry = retries_done < max_retries;
        let retry_after_headers = match platform.send(request, budget).await {
            Ok(answer) if response::is_success(answer.status) || !may_retry || !retry::is_retryable_status(answer.status) => {
                return Ok(answer);
            }
            Ok(answer) => Some(answer.headers),
            Err(TransportError::TimedOut) if cut_by_deadline => return Err(Stop::Deadline),
            Err(e @ TransportError::Network { .. }) if may_retry => {
                drop(e);
                None
            }
            Err(e) => return Err(Stop::Failed(transport_error(e))),
        };
        retries_done += 1;
        let wait = retry::delay_ms(retries_done, retry_after_headers.as_ref(), platform.now(), platform.random());
        match deadline.map(|d| d - platform.now()) {
            Some(left) if wait >= left => {
                platform.sleep(left.max(0.0)).await.map_err(|e| Stop::Failed(transport_error(e)))?;
                return Err(Stop::Deadline);
            }
            _ => platform.sleep(wait).await.map_err(|e| Stop::Failed(transport_error(e)))?,
        }
    }
}

fn settings(config: &ClientConfig, overrides: &RequestOverrides) -> (f64, u32) {
    (overrides.timeout_ms.unwrap_or(config.timeout_ms), overrides.max_retries.unwrap_or(config.max_retries))
}

/// `POST /oauth/sessions`.
pub async fn create_session<P: Platform>(
    platform: &P,
    config: &ClientConfig,
    params: &CreateSessionParams,
    overrides: &RequestOverrides,
) -> Answer<OAuthSession, P> {
    let request = request::create_session(config, params, &overrides.headers)?;
    let (timeout, max_retries) = settings(config, overrides);
    match exchange(platform, &request, timeout, max_retries, None).await {
        Ok(answer) => response::decode(answer, response::read_session),
        Err(Stop::Failed(e)) => Err(e),
        Err(Stop::Deadline) => Err(transport_error(TransportError::TimedOut)),
    }
}

/// `GET /oauth/sessions/{id}`.
pub async fn get_session<P: Platform>(platform: &P, config: &ClientConfig, session_id: &str, overrides: &RequestOverrides) -> Answer<SessionStatus, P> {
    let request = request::get_session(config, session_id, &overrides.headers)?;
    check(platform, config, &request, overrides, None).await.map_err(|stop| match stop {
        Stop::Failed(e) => e,
        Stop::Deadline => transport_error(TransportError::TimedOut),
    })
}

async fn check<P: Platform>(
    platform: &P,
    config: &ClientConfig,
    request: &HttpRequest,
    overrides: &RequestOverrides,
    deadline: Option<f64>,
) -> Result<(SessionStatus, ResponseMeta<P::Headers>), Stop<P::Headers, P::Cause>> {
    let (timeout, max_retries) = settings(config, overrides);
    let answer = exchange(platform, request, timeout, max_retries, deadline).await?;
    response::decode(answer, response::read_status).map_err(Stop::Failed)
}

/// Checks the session until it is `complete` (resolve) or `error` (reject),
/// or the timeout passes (reject). `on_status` sees every check with its
/// 1-based number; its error ends the poll.
///
/// `window_closed` is for the popup flow: once it says the person closed the
/// window, the next check is the last (completion may have just happened);
/// if it is still pending, the poll rejects with [`messages::WINDOW_CLOSED`].
pub async fn poll<P: Platform>(
    platform: &P,
    config: &ClientConfig,
    session_id: &str,
    options: PollOptions,
    overrides: &RequestOverrides,
    mut on_status: impl FnMut(&SessionStatus, u32) -> Result<(), PError<P>>,
    window_closed: impl Fn() -> bool,
) -> Answer<SessionStatus, P> {
    let request = request::get_session(config, session_id, &overrides.headers)?;
    let schedule = PollSchedule::start(platform.now(), options);
    let mut checks = 0u32;
    while schedule.time_left(platform.now()) > 0.0 {
        // Read before the check, so a check that was already under way when
        // the window closed is never taken as the last one.
        let closed = window_closed();
        let (status, meta) = match check(platform, config, &request, overrides, Some(schedule.deadline)).await {
            Ok(answer) => answer,
            Err(Stop::Deadline) => break,
            Err(Stop::Failed(e)) => return Err(e),
        };
        checks = checks.saturating_add(1);
        on_status(&status, checks)?;
        match PollSchedule::outcome(&status) {
            Outcome::Resolve => return Ok((status, meta)),
            Outcome::Reject(e) => return Err(e),
            Outcome::Continue if closed => return Err(Error::airstore(messages::WINDOW_CLOSED)),
            Outcome::Continue => platform.sleep(schedule.next_wait(platform.now())).await.map_err(transport_error)?,
        }
    }
    Err(schedule.timed_out(&platform.show_ms(options.timeout_ms)))
}

#[cfg(test)]
#[path = "client_tests.rs"]
mod tests;
