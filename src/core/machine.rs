//! The three calls as state machines that perform no I/O: each event (an
//! answer, a failed exchange, the end of a wait, the caller told of a
//! status) gives the next [`Step`]. A driver performs the steps; the async
//! functions in [`super::client`] are one, over a [`super::Platform`].
//! Keeping every decision here (attempts, retries, waits, the poll's
//! deadline and outcome) lets any driver (Rust futures, or a loop in the
//! caller's language) behave alike without repeating them.

use super::client::TransportError;
use super::config::{ClientConfig, RequestOverrides};
use super::error::{messages, Error, ErrorClass};
use super::poll::{Outcome, PollOptions, PollSchedule};
use super::response::{self, Body, Data, HeaderMap, Response, ResponseMeta};
use super::retry;
use super::types::{OAuthSession, SessionStatus};

/// What the driver does next.
#[derive(Debug)]
pub enum Step<T, H, C> {
    /// Send the call's request; the whole answer, body included, must come
    /// within `budget_ms` (else the exchange is aborted and
    /// [`TransportError::TimedOut`] is the event).
    Send { budget_ms: f64 },
    /// Wait `ms`, then [`Call::woke`] (or [`Call::interrupted`] if the
    /// caller cancelled meanwhile).
    Wait { ms: f64 },
    /// Tell the caller about a poll check (`onStatus`), then [`Call::reported`].
    Report { status: SessionStatus, attempt: u32 },
    /// The call is over.
    Done(Result<(T, ResponseMeta<H>), Error<H, C>>),
}

/// A call in progress, fed the events of its driver.
pub trait Call<H, B, C> {
    type Output;
    /// The first step; `now` is the clock in milliseconds.
    fn start(&mut self, now: f64) -> Step<Self::Output, H, C>;
    /// The exchange answered (any status).
    fn answered(&mut self, response: Response<H, B>, now: f64, random: f64) -> Step<Self::Output, H, C>;
    /// The exchange gave no answer.
    fn failed(&mut self, error: TransportError<C>, now: f64, random: f64) -> Step<Self::Output, H, C>;
    /// The wait is over.
    fn woke(&mut self, now: f64) -> Step<Self::Output, H, C>;
    /// The wait was cut short by a cancellation.
    fn interrupted(&mut self, error: TransportError<C>) -> Step<Self::Output, H, C> {
        Step::Done(Err(transport_error(error)))
    }
    /// The caller was told of the status, or that failed (a throwing
    /// `onStatus`: the poll ends with that error).
    fn reported(&mut self, outcome: Result<(), Error<H, C>>, now: f64) -> Step<Self::Output, H, C>;
}

/// The error a failed exchange becomes once it is not retried.
pub fn transport_error<H, C>(e: TransportError<C>) -> Error<H, C> {
    match e {
        TransportError::Network { detail, cause } => {
            Error::airstore(super::text::concat(&["Connection error: ", &detail])).with_class(ErrorClass::APIConnectionError).with_cause(cause)
        }
        TransportError::Unreadable { detail } => Error::airstore(super::text::concat(&["Connection error: ", &detail])).with_class(ErrorClass::APIConnectionError),
        TransportError::TimedOut => Error::airstore(messages::TIMED_OUT).with_class(ErrorClass::APIConnectionTimeoutError),
        TransportError::Cancelled { reason } => Error::airstore(messages::CANCELLED).with_cause(reason),
    }
}

/// How the attempts at one request went, when they end without an answer
/// to decode.
enum Stop<H, C> {
    Failed(Error<H, C>),
    /// The poll's deadline came first.
    Deadline,
}

/// What the attempts at one request need next.
enum Attempt<H, B, C> {
    Send { budget_ms: f64 },
    Wait { ms: f64 },
    /// An answer that is final: a success, an answer that is not
    /// retryable, or the last allowed attempt's.
    Answer(Response<H, B>),
    Stop(Stop<H, C>),
}

/// The attempts at one request: a timeout or a cancellation is never
/// retried; with a deadline, no attempt and no wait runs past it.
struct Attempts {
    timeout_ms: f64,
    max_retries: u32,
    deadline: Option<f64>,
    retries_done: u32,
    /// The attempt under way was given less than `timeout_ms` because the
    /// deadline was nearer: its timeout is the deadline's.
    cut_by_deadline: bool,
    /// The wait under way ends at the deadline: after it, stop.
    wait_reaches_deadline: bool,
}

/// The per-request timeout and retries: the call's options, else the client's.
fn settings(config: &ClientConfig, overrides: &RequestOverrides) -> (f64, u32) {
    (overrides.timeout_ms.unwrap_or(config.timeout_ms), overrides.max_retries.unwrap_or(config.max_retries))
}

impl Attempts {
    fn new((timeout_ms, max_retries): (f64, u32), deadline: Option<f64>) -> Attempts {
        Attempts {
            timeout_ms,
            max_retries,
            deadline,
            retries_done: 0,
            cut_by_deadline: false,
            wait_reaches_deadline: false,
        }
    }

    fn may_retry(&self) -> bool {
        self.retries_done < self.max_retries
    }

    /// The next attempt, unless the deadline has come.
    fn next<H, B, C>(&mut self, now: f64) -> Attempt<H, B, C> {
        let left = self.deadline.map(|d| d - now);
        if left.is_some_and(|l| l <= 0.0) {
            return Attempt::Stop(Stop::Deadline);
        }
        self.cut_by_deadline = left.is_some_and(|l| l < self.timeout_ms);
        Attempt::Send { budget_ms: left.map_or(self.timeout_ms, |l| l.min(self.timeout_ms)) }
    }

    fn answered<H: HeaderMap, B, C>(&mut self, answer: Response<H, B>, now: f64, random: f64) -> Attempt<H, B, C> {
        if response::is_success(answer.status) || !self.may_retry() || !retry::is_retryable_status(answer.status) {
            return Attempt::Answer(answer);
        }
        self.retry(Some(&answer.headers), now, random)
    }

    fn failed<H: HeaderMap, B, C>(&mut self, error: TransportError<C>, now: f64, random: f64) -> Attempt<H, B, C> {
        match error {
            TransportError::TimedOut if self.cut_by_deadline => Attempt::Stop(Stop::Deadline),
            TransportError::Network { .. } if self.may_retry() => self.retry(None::<&H>, now, random),
            e => Attempt::Stop(Stop::Failed(transport_error(e))),
        }
    }

    /// Waits before the next attempt: `retry-after` if the answer says, else
    /// backoff; never past the deadline.
    fn retry<H: HeaderMap, B, C>(&mut self, headers: Option<&H>, now: f64, random: f64) -> Attempt<H, B, C> {
        self.retries_done += 1;
        let wait = retry::delay_ms(self.retries_done, headers, now, random);
        match self.deadline.map(|d| d - now) {
            Some(left) if wait >= left => {
                self.wait_reaches_deadline = true;
                Attempt::Wait { ms: left.max(0.0) }
            }
            _ => Attempt::Wait { ms: wait },
        }
    }

    fn woke<H, B, C>(&mut self, now: f64) -> Attempt<H, B, C> {
        if self.wait_reaches_deadline {
            return Attempt::Stop(Stop::Deadline);
        }
        self.next(now)
    }
}

/// `createSession` or `getSession`: one request, retried, then decoded.
pub struct Single<T, B> {
    attempts: Attempts,
    read: fn(&Data<'_, B>) -> Result<T, String>,
}

impl<T, B: Body> Single<T, B> {
    /// A request whose answer's `data` is read by `read` (the constructors
    /// below, or a binding's own wrapper of them).
    pub fn reading(config: &ClientConfig, overrides: &RequestOverrides, read: fn(&Data<'_, B>) -> Result<T, String>) -> Self {
        Single { attempts: Attempts::new(settings(config, overrides), None), read }
    }
}

impl<B: Body> Single<OAuthSession, B> {
    /// `POST /oauth/sessions`.
    pub fn create_session(config: &ClientConfig, overrides: &RequestOverrides) -> Self {
        Single::reading(config, overrides, response::read_session)
    }
}

impl<B: Body> Single<SessionStatus, B> {
    /// `GET /oauth/sessions/{id}`.
    pub fn get_session(config: &ClientConfig, overrides: &RequestOverrides) -> Self {
        Single::reading(config, overrides, response::read_status)
    }
}

impl<T, B: Body> Single<T, B> {
    fn step<H: HeaderMap, C>(&self, attempt: Attempt<H, B, C>) -> Step<T, H, C> {
        match attempt {
            Attempt::Send { budget_ms } => Step::Send { budget_ms },
            Attempt::Wait { ms } => Step::Wait { ms },
            Attempt::Answer(answer) => Step::Done(response::decode(answer, self.read)),
            Attempt::Stop(Stop::Failed(e)) => Step::Done(Err(e)),
            // Without a deadline this cannot happen; it would be a timeout.
            Attempt::Stop(Stop::Deadline) => Step::Done(Err(transport_error(TransportError::TimedOut))),
        }
    }
}

impl<T, H: HeaderMap, B: Body, C> Call<H, B, C> for Single<T, B> {
    type Output = T;

    fn start(&mut self, now: f64) -> Step<T, H, C> {
        let next = self.attempts.next(now);
        self.step(next)
    }

    fn answered(&mut self, response: Response<H, B>, now: f64, random: f64) -> Step<T, H, C> {
        let next = self.attempts.answered(response, now, random);
        self.step(next)
    }

    fn failed(&mut self, error: TransportError<C>, now: f64, random: f64) -> Step<T, H, C> {
        let next = self.attempts.failed(error, now, random);
        self.step(next)
    }

    fn woke(&mut self, now: f64) -> Step<T, H, C> {
        let next = self.attempts.woke(now);
        self.step(next)
    }

    fn reported(&mut self, _: Result<(), Error<H, C>>, _: f64) -> Step<T, H, C> {
        // Only a poll reports.
        Step::Done(Err(Error::airstore("internal error: a status was reported outside a poll")))
    }
}

/// `poll`: checks the session until it is `complete` (resolve) or `error`
/// (reject), or the timeout passes (reject).
///
/// `window_closed` is for the popup flow: once it says the person closed the
/// window, the next check is the last (completion may have just happened);
/// if it is still pending, the poll rejects with [`messages::WINDOW_CLOSED`].
pub struct Poll<H, F> {
    /// Each check's timeout and retries.
    settings: (f64, u32),
    options: PollOptions,
    /// The timeout as the caller's language prints it, for the message.
    shown_timeout: String,
    window_closed: F,
    schedule: Option<PollSchedule>,
    checks: u32,
    check: Option<Check<H>>,
    /// A check found the session pending: a 404 after that means it ended.
    seen_pending: bool,
}

/// The check under way.
struct Check<H> {
    attempts: Attempts,
    /// Whether the window was closed when the check began.
    closed_before: bool,
    /// The status it found, while the caller is told of it.
    found: Option<(SessionStatus, ResponseMeta<H>)>,
}

impl<H, F: Fn() -> bool> Poll<H, F> {
    pub fn new(config: &ClientConfig, overrides: &RequestOverrides, options: PollOptions, shown_timeout: String, window_closed: F) -> Self {
        Poll {
            settings: settings(config, overrides),
            options,
            shown_timeout,
            window_closed,
            schedule: None,
            checks: 0,
            check: None,
            seen_pending: false,
        }
    }

    /// From now on, `window_closed` says whether the window is closed
    /// (authorize opens its window after the call is prepared).
    pub fn watch_window(&mut self, window_closed: F) {
        self.window_closed = window_closed;
    }

    fn timed_out<C>(&self) -> Error<H, C> {
        PollSchedule::timed_out(&self.shown_timeout)
    }

    /// A new check, unless the time is up.
    fn begin_check<B: Body, C>(&mut self, now: f64) -> Step<SessionStatus, H, C>
    where
        H: HeaderMap,
    {
        let Some(schedule) = self.schedule else { return Step::Done(Err(self.timed_out())) };
        if schedule.time_left(now) <= 0.0 {
            return Step::Done(Err(self.timed_out()));
        }
        let mut attempts = Attempts::new(self.settings, Some(schedule.deadline));
        // Read before the check, so a check that was already under way when
        // the window closed is never taken as the last one.
        let closed_before = (self.window_closed)();
        let next = attempts.next::<H, B, C>(now);
        self.check = Some(Check { attempts, closed_before, found: None });
        self.step(next)
    }

    fn step<B: Body, C>(&mut self, attempt: Attempt<H, B, C>) -> Step<SessionStatus, H, C>
    where
        H: HeaderMap,
    {
        match attempt {
            Attempt::Send { budget_ms } => Step::Send { budget_ms },
            Attempt::Wait { ms } => Step::Wait { ms },
            Attempt::Stop(Stop::Failed(e)) => Step::Done(Err(e)),
            Attempt::Stop(Stop::Deadline) => Step::Done(Err(self.timed_out())),
            Attempt::Answer(answer) => match response::decode(answer, response::read_status) {
                // Airstore deletes a finished session about 30 s after it
                // ends; the status is lost, the connection is not.
                Err(mut e) if self.seen_pending && e.class == ErrorClass::NotFoundError => {
                    e.message = messages::SESSION_ENDED.to_string();
                    Step::Done(Err(e))
                }
                Err(e) => Step::Done(Err(e)),
                Ok((status, meta)) => {
                    self.checks = self.checks.saturating_add(1);
                    let report = Step::Report { status: status.clone(), attempt: self.checks };
                    if let Some(check) = &mut self.check {
                        check.found = Some((status, meta));
                    }
                    report
                }
            },
        }
    }
}

impl<H: HeaderMap, B: Body, C, F: Fn() -> bool> Call<H, B, C> for Poll<H, F> {
    type Output = SessionStatus;

    fn start(&mut self, now: f64) -> Step<SessionStatus, H, C> {
        self.schedule = Some(PollSchedule::start(now, self.options));
        self.begin_check::<B, C>(now)
    }

    fn answered(&mut self, response: Response<H, B>, now: f64, random: f64) -> Step<SessionStatus, H, C> {
        let Some(check) = &mut self.check else { return self.begin_check::<B, C>(now) };
        let next = check.attempts.answered(response, now, random);
        self.step(next)
    }

    fn failed(&mut self, error: TransportError<C>, now: f64, random: f64) -> Step<SessionStatus, H, C> {
        let Some(check) = &mut self.check else { return Step::Done(Err(transport_error(error))) };
        let next = check.attempts.failed::<H, B, C>(error, now, random);
        self.step(next)
    }

    fn woke(&mut self, now: f64) -> Step<SessionStatus, H, C> {
        match &mut self.check {
            // A retry's wait within the check.
            Some(check) if check.found.is_none() => {
                let next = check.attempts.woke::<H, B, C>(now);
                self.step(next)
            }
            // The wait between checks.
            _ => self.begin_check::<B, C>(now),
        }
    }

    fn reported(&mut self, outcome: Result<(), Error<H, C>>, now: f64) -> Step<SessionStatus, H, C> {
        if let Err(e) = outcome {
            return Step::Done(Err(e));
        }
        let Some(Check { closed_before, found: Some((status, meta)), .. }) = self.check.take() else {
            return self.begin_check::<B, C>(now);
        };
        match PollSchedule::outcome(&status) {
            Outcome::Resolve => Step::Done(Ok((status, meta))),
            Outcome::Reject(e) => Step::Done(Err(e)),
            Outcome::Continue if closed_before => Step::Done(Err(Error::airstore(messages::WINDOW_CLOSED).with_class(ErrorClass::PopupClosedError))),
            Outcome::Continue => {
                self.seen_pending = true;
                let wait = self.schedule.map_or(0.0, |s| s.next_wait(now));
                Step::Wait { ms: wait }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    //! The machines fed by hand, as a driver in another language would; the
    //! behaviour over time is tested through the async drivers in
    //! `client_tests.rs`.
    use super::*;
    use crate::core::response::testing::{response, JsonBody, TestHeaders};
    use crate::core::types::SessionState;

    type Dyn<'a> = &'a mut dyn Call<TestHeaders, JsonBody, &'static str, Output = SessionStatus>;

    fn status(s: &str) -> Response<TestHeaders, JsonBody> {
        response(200, &[], &format!(r#"{{"success":true,"data":{{"status":"{s}"}}}}"#))
    }

    #[test]
    fn a_poll_sends_reports_waits_then_resolves_when_complete() {
        let options = PollOptions { timeout_ms: 1_000.0, interval_ms: 100.0 };
        let mut poll = Poll::new(&ClientConfig::default(), &RequestOverrides::default(), options, "1000".into(), || false);
        let call: Dyn = &mut poll;
        assert!(matches!(call.start(0.0), Step::Send { budget_ms } if budget_ms == 1_000.0));
        assert!(matches!(call.answered(status("pending"), 5.0, 0.5), Step::Report { attempt: 1, .. }));
        assert!(matches!(call.reported(Ok(()), 5.0), Step::Wait { ms } if ms == 100.0));
        assert!(matches!(call.woke(105.0), Step::Send { budget_ms } if budget_ms == 895.0));
        assert!(matches!(call.answered(status("complete"), 110.0, 0.5), Step::Report { attempt: 2, .. }));
        match call.reported(Ok(()), 110.0) {
            Step::Done(Ok((s, meta))) => assert_eq!((s.status, meta.status_code), (SessionState::Complete, 200)),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_retry_wait_that_reaches_the_deadline_ends_the_poll_with_the_timeout() {
        let options = PollOptions { timeout_ms: 1_000.0, interval_ms: 100.0 };
        let mut poll = Poll::new(&ClientConfig::default(), &RequestOverrides::default(), options, "1000".into(), || false);
        let call: Dyn = &mut poll;
        call.start(0.0);
        // A 503 at 900 ms: the backoff (625 ms with random 0.5) passes the
        // deadline, so the wait is cut to what is left, and then it is over.
        let busy = response(503, &[], "{}");
        assert!(matches!(call.answered(busy, 900.0, 0.5), Step::Wait { ms } if ms == 100.0));
        match call.woke(1_000.0) {
            Step::Done(Err(e)) => assert_eq!(e.message, "OAuth session timed out after 1000ms"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_get_session_retries_a_network_failure_then_decodes_the_answer() {
        let mut get = Single::get_session(&ClientConfig::default(), &RequestOverrides::default());
        let call: Dyn = &mut get;
        assert!(matches!(call.start(0.0), Step::Send { budget_ms } if budget_ms == 60_000.0));
        let refused = TransportError::Network { detail: "refused".into(), cause: None };
        assert!(matches!(call.failed(refused, 1.0, 0.5), Step::Wait { ms } if ms == 625.0));
        assert!(matches!(call.woke(626.0), Step::Send { .. }));
        assert!(matches!(call.answered(status("pending"), 630.0, 0.5), Step::Done(Ok(_))));
    }
}
