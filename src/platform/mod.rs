//! The network, the clock and the timers: the global `fetch`,
//! `AbortController`, `setTimeout` and `Date.now`, each looked up when it is
//! called (never captured at load), so it works in browsers, workerd and
//! Node alike and respects test doubles installed later. (The bindings also
//! read `process.env`, `location` and `window.open`, through `js_get`.)

mod event;
mod js;
mod race;

use crate::core::client::{Platform, TransportError};
use crate::core::request::HttpRequest;
use crate::core::response::{Body, Field, HeaderMap, Response};
use event::EventFlag;
use race::{race, Either};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

pub use event::CancelSignal;
pub use js::{abort_exchange, get as js_get, global as js_global, header_lines, js_str, JsRequest};

/// The platform of one call: the caller's `AbortSignal`, if any, watched
/// from the start of the call to its end.
pub struct WebPlatform {
    cancel: Option<CancelSignal>,
    popup: Option<JsValue>,
}

impl WebPlatform {
    pub fn new(cancel: Option<CancelSignal>) -> Self {
        WebPlatform { cancel, popup: None }
    }

    /// A platform whose waits also end when `popup` (a window) is closed.
    pub fn with_popup(cancel: Option<CancelSignal>, popup: JsValue) -> Self {
        WebPlatform { cancel, popup: Some(popup) }
    }

    /// Whether the popup window, if any, has been closed.
    pub fn popup_closed(&self) -> bool {
        self.popup.as_ref().is_some_and(|w| js::get(w, "closed").as_bool() == Some(true))
    }

    /// Resolves once the popup is closed; never without one. Windows fire no
    /// event to their opener when closed, so this looks every 250 ms.
    async fn until_popup_closed(&self) {
        if self.popup.is_none() {
            return std::future::pending().await;
        }
        while !self.popup_closed() {
            sleep_ms(250.0).await;
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

/// Response headers: the JS `Headers` object itself, so errors can carry it.
#[derive(Clone, Debug)]
pub struct JsHeaders(pub web_sys::Headers);

impl HeaderMap for JsHeaders {
    fn get(&self, name: &str) -> Option<String> {
        // A JS value back, not an Option<String>: a missing header (the
        // usual case) then costs no trip through wasm memory.
        let value = js::header(&self.0, &js::js_str(name)).ok()?;
        if value.is_string() { value.as_string() } else { None }
    }
}

/// A body as `JSON.parse` left it (in JS, where parsing costs no wasm bytes
/// and the text never has to cross into wasm).
pub struct JsBody {
    empty: bool,
    parsed: Option<JsValue>,
}

impl JsBody {
    pub fn new(parsed: Option<JsValue>, empty: bool) -> JsBody {
        JsBody { empty, parsed }
    }
}

impl Body for JsBody {
    fn is_empty(&self) -> bool {
        self.empty
    }

    fn is_json(&self) -> bool {
        self.parsed.is_some()
    }

    fn field(&self, path: &[&str]) -> Field {
        // The kind first, in one crossing (most fields read are missing);
        // the string only when there is one.
        let kind = match (&self.parsed, path) {
            (Some(parsed), [first]) => js::field_kind(parsed, &js::js_str(first), &JsValue::UNDEFINED),
            (Some(parsed), [first, second]) => js::field_kind(parsed, &js::js_str(first), &js::js_str(second)),
            _ => 0.0,
        };
        match kind as u8 {
            1 => Field::Null,
            2 => Field::Object,
            3 => Field::Other("an array"),
            4 => Field::Other("a number"),
            5 => Field::Other("a boolean"),
            6 => self.at(path).as_string().map_or(Field::Missing, Field::String),
            _ => Field::Missing,
        }
    }

    fn word(&self, path: &[&str], words: &[&str]) -> Option<usize> {
        // Compared as JS strings (the words are made once): the string is
        // never copied into wasm.
        let found = self.at(path);
        words.iter().position(|w| found == js::js_str(w))
    }
}

impl JsBody {
    /// The string `fieldAt` finds at `path`, or undefined. Own properties
    /// only, so names like `__proto__` cannot reach in.
    fn at(&self, path: &[&str]) -> JsValue {
        let Some(parsed) = &self.parsed else { return JsValue::UNDEFINED };
        match path {
            [first] => js::field_at(parsed, &js::js_str(first), &JsValue::UNDEFINED),
            [first, second] => js::field_at(parsed, &js::js_str(first), &js::js_str(second)),
            _ => JsValue::UNDEFINED,
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
        // The JS side runs the timer over the whole exchange, body included.
        let answer = JsRequest::new(request).send(timeout_ms);
        match race(JsFuture::from(answer.clone()), self.until_cancelled()).await {
            Either::Left(Ok(answer)) => read_answer(answer),
            Either::Left(Err(e)) => Err(network(e)),
            Either::Right(cancelled) => {
                js::abort_exchange(&answer);
                Err(cancelled)
            }
        }
    }

    async fn sleep(&self, ms: f64) -> Result<(), TransportError<JsValue>> {
        if let Some(cancelled) = self.cancelled() {
            return Err(cancelled);
        }
        // Browsers throttle timers in hidden tabs, and a completed session is
        // deleted about 30 s after completion: when the page shows again,
        // stop waiting and let the caller look at once.
        let shown = EventFlag::page_shown();
        let wake = async {
            match &shown {
                Some(flag) => flag.wait().await,
                None => std::future::pending().await,
            }
        };
        match race(race(race(sleep_ms(ms), wake), self.until_popup_closed()), self.until_cancelled()).await {
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

/// What `js/exchange.js`'s promise resolved with, as a response: `0` when
/// the time ran out, else `[status, headers, opaqueRedirect, isJson,
/// parsedBody, emptyBody]`.
pub fn read_answer(answer: JsValue) -> Result<Response<JsHeaders, JsBody>, TransportError<JsValue>> {
    if answer.as_f64() == Some(0.0) {
        return Err(TransportError::TimedOut);
    }
    let Ok(answer) = answer.dyn_into::<js_sys::Array>() else {
        return Err(TransportError::Network { detail: "the exchange gave no answer".into(), cause: None });
    };
    let status = answer.get(0).as_f64().unwrap_or(0.0) as u16;
    answer_of(status, answer.get(1), answer.get(2).is_truthy(), answer.get(3).is_truthy(), answer.get(4), answer.get(5).is_truthy())
}

/// The parts of an answer of `js/exchange.js` (js/driver.js passes them one
/// by one: numbers and booleans cross the boundary as they are).
pub fn answer_of(status: u16, headers: JsValue, opaque_redirect: bool, is_json: bool, parsed: JsValue, empty: bool) -> Result<Response<JsHeaders, JsBody>, TransportError<JsValue>> {
    if opaque_redirect {
        return Err(TransportError::Network {
            detail: "the server answered with a redirect, which this client does not follow (check baseURL)".into(),
            cause: None,
        });
    }
    let body = JsBody::new(is_json.then_some(parsed), empty);
    Ok(Response { status, headers: JsHeaders(headers.unchecked_into()), body })
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
/// documented snake_case fields, for Rust programs that hand results to JS
/// (a Worker written in Rust, say). The npm package builds its results in
/// `js/results.js` instead, in one crossing.
pub fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsValue> {
    serde_wasm_bindgen::to_value(value).map_err(JsValue::from)
}

/// A failure of `fetch` itself: DNS, refused, reset, CORS, bad URL.
pub fn network(e: JsValue) -> TransportError<JsValue> {
    TransportError::Network { detail: js::describe_error(&e), cause: Some(e) }
}
