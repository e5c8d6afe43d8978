//! The network, the clock and the timers: the global `fetch`,
//! `AbortController`, `setTimeout` (through gloo-timers) and `Date.now`,
//! each looked up when it is called (never captured at load), so the same
//! code runs in browsers, workerd, Node, Deno and Bun and respects test
//! doubles installed later. [`WebPlatform`] is the [`Platform`] the npm
//! package's calls run on, and the one a Rust program (a workers-rs Worker,
//! say) hands to [`crate::core::client`].

mod event;
mod fetch;
mod js;
mod race;

use crate::core::client::{Platform, TransportError};
use crate::core::request::HttpRequest;
use crate::core::response::Response;
use event::Wake;
use std::cell::Cell;
use race::{race, Either};
use wasm_bindgen::{JsCast, JsValue};

pub use event::{signal_return, CancelSignal};
pub use fetch::{JsBody, JsHeaders};
pub use js::{describe_error, get as js_get, global as js_global, is_browser, is_server};

/// The platform of one call: the caller's `AbortSignal`, if any, watched
/// from the start of the call to its end; for a poll in a browser, the
/// page's wake-ups (visible, focus, `pageshow`, `online`, the return page's
/// signal); for authorize, its window ([`PopupWatch`]).
pub struct WebPlatform {
    cancel: Option<CancelSignal>,
    wake: Option<Wake>,
    popup: Option<PopupWatch>,
    notice: Option<Box<dyn Fn(Notice)>>,
}

/// What a browser flow is told of while it waits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// The return page signalled (see [`signal_return`]).
    Returned,
    /// The window reads closed for the first time (a hint: a provider page
    /// with `Cross-Origin-Opener-Policy` makes it read closed at once).
    WindowClosed,
}

/// How long the opener must have had focus back, with the window reading
/// closed, before the person is taken to have left the flow.
pub const FOCUS_GRACE_MS: f64 = 1_500.0;
/// Windows fire no event to their opener when closed: looked at this often.
const POPUP_LOOK_MS: f64 = 250.0;

/// authorize's window, and whether the person has left it: it reads closed
/// and this page has had focus for [`FOCUS_GRACE_MS`].
pub struct PopupWatch {
    window: JsValue,
    end_on_close: bool,
    closed_seen: Cell<bool>,
    focused_since: Cell<Option<f64>>,
    left: Cell<bool>,
}

impl PopupWatch {
    /// `end_on_close: false` never takes a closed window for the person leaving.
    pub fn new(window: JsValue, end_on_close: bool) -> PopupWatch {
        PopupWatch { window, end_on_close, closed_seen: Cell::new(false), focused_since: Cell::new(None), left: Cell::new(false) }
    }

    /// Whether the person has left the flow (the poll's next check is its last).
    pub fn user_left(&self) -> bool {
        self.left.get()
    }

    /// Looks at the window and this page's focus: (closed for the first
    /// time, just taken as left).
    fn look(&self) -> (bool, bool) {
        if js::get(&self.window, "closed").as_bool() != Some(true) {
            self.focused_since.set(None);
            return (false, false);
        }
        let first = !self.closed_seen.replace(true);
        let document = js::global("document");
        let focused = js::get(&document, "hasFocus").dyn_into::<js_sys::Function>().ok().and_then(|f| f.call0(&document).ok()).and_then(|v| v.as_bool());
        let now = js_sys::Date::now();
        match focused {
            Some(true) => {
                let since = self.focused_since.get().unwrap_or(now);
                self.focused_since.set(Some(since));
            }
            _ => self.focused_since.set(None),
        }
        let left = self.end_on_close && self.focused_since.get().is_some_and(|since| now - since >= FOCUS_GRACE_MS);
        let newly = left && !self.left.replace(left);
        (first, newly)
    }
}

impl WebPlatform {
    pub fn new(cancel: Option<CancelSignal>) -> Self {
        WebPlatform { cancel, wake: None, popup: None, notice: None }
    }

    /// Waits also end on the page's wake-ups (browsers; nothing elsewhere).
    pub fn waking(mut self) -> Self {
        self.wake = Some(Wake::page());
        self
    }

    /// Waits also end when the window is first seen closed, and when the
    /// person is taken to have left it.
    pub fn watching(mut self, popup: PopupWatch) -> Self {
        self.popup = Some(popup);
        self
    }

    /// `notice` is told of [`Notice`]s as they happen.
    pub fn telling(mut self, notice: impl Fn(Notice) + 'static) -> Self {
        self.notice = Some(Box::new(notice));
        self
    }

    /// Whether the person has left authorize's window (see [`PopupWatch`]).
    pub fn user_left(&self) -> bool {
        self.popup.as_ref().is_some_and(PopupWatch::user_left)
    }

    fn tell(&self, notice: Notice) {
        if let Some(tell) = &self.notice {
            tell(notice);
        }
    }

    /// Resolves when the window is first seen closed or the person is taken
    /// to have left; never without a window.
    async fn until_popup_changes(&self) {
        let Some(watch) = &self.popup else { return std::future::pending().await };
        loop {
            let (first_closed, left) = watch.look();
            if first_closed {
                self.tell(Notice::WindowClosed);
                return;
            }
            if left {
                return;
            }
            sleep_ms(POPUP_LOOK_MS).await;
        }
    }

    /// Resolves on the page's wake-ups; never without them.
    async fn until_woken(&self) {
        match &self.wake {
            Some(wake) => {
                wake.wait().await;
                if wake.take_returned() {
                    self.tell(Notice::Returned);
                }
            }
            None => std::future::pending().await,
        }
    }

    fn cancelled(&self) -> Option<TransportError<JsValue>> {
        let signal = self.cancel.as_ref()?;
        signal.fired().then(|| TransportError::Cancelled { reason: signal.reason() })
    }

    /// Resolves when the caller's signal fires; never without one.
    async fn until_cancelled(&self) -> TransportError<JsValue> {
        match &self.cancel {
            Some(signal) => {
                signal.wait().await;
                TransportError::Cancelled { reason: signal.reason() }
            }
            None => std::future::pending().await,
        }
    }
}

impl Platform for WebPlatform {
    type Headers = JsHeaders;
    type Body = JsBody;
    type Cause = JsValue;

    async fn send(&self, request: &HttpRequest, timeout_ms: f64) -> Result<Response<JsHeaders, JsBody>, TransportError<JsValue>> {
        if let Some(cancelled) = self.cancelled() {
            return Err(cancelled);
        }
        // One timer over the whole exchange, body included. The loser of
        // each race is dropped: the exchange's drop aborts its request, the
        // timer's clears it, the signal's removes its listener.
        let timed = race(fetch::exchange(request), sleep_ms(timeout_ms));
        match race(timed, self.until_cancelled()).await {
            Either::Left(Either::Left(answer)) => answer,
            Either::Left(Either::Right(())) => Err(TransportError::TimedOut),
            Either::Right(cancelled) => Err(cancelled),
        }
    }

    async fn sleep(&self, ms: f64) -> Result<(), TransportError<JsValue>> {
        if let Some(cancelled) = self.cancelled() {
            return Err(cancelled);
        }
        // Any of these ends the wait early so the caller looks at once (see
        // Wake for why).
        match race(race(race(sleep_ms(ms), self.until_woken()), self.until_popup_changes()), self.until_cancelled()).await {
            Either::Left(_) => Ok(()),
            Either::Right(cancelled) => Err(cancelled),
        }
    }

    fn now(&self) -> f64 {
        js_sys::Date::now()
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }

    fn show_ms(&self, ms: f64) -> String {
        show_ms(ms)
    }
}

/// A number of milliseconds exactly as JS prints it (`String(n)`):
/// `80.1234`, `1e-7`.
pub fn show_ms(ms: f64) -> String {
    JsValue::from_f64(ms).unchecked_into::<js_sys::Number>().to_string_with_radix(10).map(String::from).unwrap_or_default()
}

/// Sleeps through `setTimeout`, in steps that fit its 32-bit delay (a
/// longer delay would fire at once).
pub async fn sleep_ms(ms: f64) {
    const MAX_STEP: f64 = 2_147_483_647.0;
    let mut left = ms.max(0.0);
    loop {
        let step = left.min(MAX_STEP);
        gloo_timers::future::TimeoutFuture::new(step.ceil() as u32).await;
        left -= step;
        if left <= 0.0 {
            return;
        }
    }
}

/// A result (`SessionStatus`, `OAuthSession`) as a plain JS object with the
/// documented snake_case fields (absent ones left out), through
/// serde-wasm-bindgen.
pub fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsValue> {
    serde_wasm_bindgen::to_value(value).map_err(JsValue::from)
}

/// A failure of `fetch` itself: DNS, refused, reset, CORS, bad URL.
pub fn network(e: JsValue) -> TransportError<JsValue> {
    TransportError::Network { detail: describe_error(&e), cause: Some(e) }
}
