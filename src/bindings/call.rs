//! A call in progress, driven from JS: `js/driver.js` performs the steps
//! (the exchange, the waits, `onStatus`) and feeds what happened back here,
//! where the core's state machine decides what comes next. Every method is
//! synchronous and returns the next step's code; its payload is read with
//! `ms`, `value` and `attempt`.
//!
//! Why not Rust futures: each promise awaited across the boundary costs two
//! wasm-bindgen closures and microtask hops (about 4 µs a call, see
//! docs/speed.md), and the futures machinery is a third of the wasm.

use super::convert::{self, JsError, ToJs};
use crate::core::client::TransportError;
use crate::core::config::{ClientConfig, RequestOverrides};
use crate::core::machine::{self, Poll, Single, Step};
use crate::core::response::{self, ResponseMeta};
use crate::core::{Error, OAuthSession, SessionStatus};
use crate::platform::{self, JsBody, JsHeaders, JsRequest};
use wasm_bindgen::prelude::*;

// The step codes js/driver.js switches on.
const SEND: u32 = 0;
const WAIT: u32 = 1;
const REPORT: u32 = 2;
const DONE: u32 = 3;
const FAILED: u32 = 4;

type WindowClosed = Box<dyn Fn() -> bool>;

/// The state machine of each kind of call.
pub enum Machine {
    /// No call: a `Call` kept for the next one (js/public.js).
    Idle,
    /// createSession or getSession: one machine type for both, so its code
    /// is in the wasm once.
    Single(Single<Answer, JsBody>),
    Poll(Poll<JsHeaders, WindowClosed>),
}

impl Machine {
    /// `POST /oauth/sessions`.
    pub fn create_session(config: &ClientConfig, overrides: &RequestOverrides) -> Machine {
        Machine::Single(Single::reading(config, overrides, |data| response::read_session(data).map(Answer::Session)))
    }

    /// `GET /oauth/sessions/{id}`.
    pub fn get_session(config: &ClientConfig, overrides: &RequestOverrides) -> Machine {
        Machine::Single(Single::reading(config, overrides, |data| response::read_status(data).map(Answer::Status)))
    }
}

/// What a single request's call resolves with.
pub enum Answer {
    Session(OAuthSession),
    Status(SessionStatus),
}

impl ToJs for Answer {
    fn to_js(&self, meta: Option<ResponseMeta<JsHeaders>>) -> JsValue {
        match self {
            Answer::Session(session) => session.to_js(meta),
            Answer::Status(status) => status.to_js(meta),
        }
    }
}

/// Feeds an event to whichever machine the call has.
macro_rules! feed {
    ($call:expr, $m:ident => $event:expr) => {
        match &mut $call.machine {
            Machine::Idle => $call.no_call(),
            Machine::Single($m) => {
                let step = $event;
                $call.take(step)
            }
            Machine::Poll($m) => {
                let step = $event;
                $call.take(step)
            }
        }
    };
}

#[wasm_bindgen]
pub struct Call {
    request: JsRequest,
    machine: Machine,
    /// The payload of the last step.
    ms: f64,
    value: JsValue,
    attempt: u32,
}

impl Call {
    pub fn new(request: JsRequest, machine: Machine) -> Call {
        Call {
            request,
            machine,
            ms: 0.0,
            value: JsValue::UNDEFINED,
            attempt: 0,
        }
    }

    /// Keeps the step's payload and returns its code.
    fn take<T: ToJs>(&mut self, step: Step<T, JsHeaders, JsValue>) -> u32 {
        match step {
            Step::Send { budget_ms } => {
                self.ms = budget_ms;
                SEND
            }
            Step::Wait { ms } => {
                self.ms = ms;
                WAIT
            }
            Step::Report { status, attempt } => {
                self.value = status.to_js(None);
                self.attempt = attempt;
                REPORT
            }
            Step::Done(Ok((value, meta))) => {
                self.value = value.to_js(Some(meta));
                DONE
            }
            Step::Done(Err(e)) => {
                self.value = convert::error(e);
                FAILED
            }
        }
    }

    fn reported_with(&mut self, outcome: Result<(), JsError>) -> u32 {
        let now = js_sys::Date::now();
        feed!(self, m => machine::Call::<JsHeaders, JsBody, JsValue>::reported(m, outcome, now))
    }
}

#[wasm_bindgen]
impl Call {
    /// A call with nothing to do yet, for `OAuth.start*` to prepare.
    #[wasm_bindgen(constructor)]
    pub fn idle() -> Call {
        let nothing = JsRequest { method: JsValue::UNDEFINED, url: JsValue::UNDEFINED, header_lines: JsValue::UNDEFINED, body: JsValue::UNDEFINED };
        Call::new(nothing, Machine::Idle)
    }

    /// Lets go of everything the finished call held (its request, result,
    /// the popup it watched), so a kept `Call` holds on to no JS value.
    pub fn clear(&mut self) {
        *self = Call::idle();
    }

    /// SEND: starts the exchange (js/exchange.js) with the step's time.
    pub fn send(&self, to: &JsValue) -> JsValue {
        self.request.start(self.ms, to)
    }

    /// authorize: once `popup` (a window) is closed, the poll's next check
    /// is its last. Called after the call is prepared and before it starts.
    #[wasm_bindgen(js_name = watchPopup)]
    pub fn watch_popup(&mut self, popup: JsValue) {
        if let Machine::Poll(poll) = &mut self.machine {
            poll.watch_window(Box::new(move || platform::js_get(&popup, "closed").as_bool() == Some(true)));
        }
    }

    /// SEND: the time the exchange has; WAIT: how long to wait.
    #[wasm_bindgen(getter)]
    pub fn ms(&self) -> f64 {
        self.ms
    }

    /// REPORT: the status; DONE: the result; FAILED: the error to throw.
    #[wasm_bindgen(getter)]
    pub fn value(&self) -> JsValue {
        self.value.clone()
    }

    /// REPORT: the check's number, from 1.
    #[wasm_bindgen(getter)]
    pub fn attempt(&self) -> u32 {
        self.attempt
    }

    pub fn start(&mut self, now: f64) -> u32 {
        feed!(self, m => machine::Call::<JsHeaders, JsBody, JsValue>::start(m, now))
    }

    /// The exchange's promise resolved with an answer (its parts, see
    /// js/exchange.js).
    #[allow(clippy::too_many_arguments)]
    pub fn answered(&mut self, status: u16, headers: JsValue, opaque_redirect: bool, is_json: bool, parsed: JsValue, empty: bool, now: f64, random: f64) -> u32 {
        match platform::answer_of(status, headers, opaque_redirect, is_json, parsed, empty) {
            Ok(response) => feed!(self, m => machine::Call::answered(m, response, now, random)),
            Err(e) => self.failed_with(e, now, random),
        }
    }

    /// The exchange's time ran out.
    #[wasm_bindgen(js_name = timedOut)]
    pub fn timed_out(&mut self, now: f64, random: f64) -> u32 {
        self.failed_with(TransportError::TimedOut, now, random)
    }

    /// The exchange's promise rejected: `fetch` failed.
    pub fn failed(&mut self, error: JsValue, now: f64, random: f64) -> u32 {
        self.failed_with(platform::network(error), now, random)
    }

    /// The caller's signal fired (before or during a step); `reason` is
    /// its `reason`, kept as the error's `cause`.
    pub fn cancelled(&mut self, reason: JsValue) -> u32 {
        let e = TransportError::Cancelled { reason: (!reason.is_undefined()).then_some(reason) };
        feed!(self, m => machine::Call::<JsHeaders, JsBody, JsValue>::interrupted(m, e))
    }

    /// The wait is over (its time, or earlier: the page showed again or the
    /// popup closed).
    pub fn woke(&mut self, now: f64) -> u32 {
        feed!(self, m => machine::Call::<JsHeaders, JsBody, JsValue>::woke(m, now))
    }

    /// `onStatus` returned, or threw `thrown`.
    pub fn reported(&mut self, threw: bool, thrown: JsValue) -> u32 {
        let outcome = if threw { Err(Error::airstore("onStatus threw, so the poll stopped").with_cause(Some(thrown))) } else { Ok(()) };
        self.reported_with(outcome)
    }
}

impl Call {
    fn no_call(&mut self) -> u32 {
        self.value = convert::error(Error::airstore("this call was not prepared"));
        FAILED
    }

    fn failed_with(&mut self, e: TransportError<JsValue>, now: f64, random: f64) -> u32 {
        feed!(self, m => machine::Call::<JsHeaders, JsBody, JsValue>::failed(m, e, now, random))
    }
}
