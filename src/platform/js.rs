//! Direct bindings to JS globals. Every import that can run user code or
//! throw is declared `catch`: a JS exception must come back as a `Result`,
//! never unwind through wasm frames.

use crate::core::request::HttpRequest;
use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `globalThis`, for optional features (`document`, `process`).
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL_THIS: JsValue;
}

#[wasm_bindgen(module = "/js/exchange-promise.js")]
extern "C" {
    /// The exchange as a promise, for the Rust platform.
    #[wasm_bindgen(js_name = exchangePromise)]
    fn exchange_promise(url: &JsValue, method: &JsValue, header_lines: &JsValue, body: &JsValue, timeout_ms: f64) -> Promise;

    /// Aborts the exchange whose promise `exchangePromise` returned.
    #[wasm_bindgen(js_name = abortExchange)]
    pub fn abort_exchange(answer: &Promise);
}

#[wasm_bindgen(module = "/js/exchange.js")]
extern "C" {
    /// One whole exchange (see js/exchange.js): fetch, body, JSON.parse,
    /// under one timer; `to.answered` or `to.failed` is told how it ended.
    /// Redirects are not followed: the API never redirects, and a redirect
    /// must not carry the key elsewhere.
    #[wasm_bindgen(js_name = exchange)]
    fn exchange_js(url: &JsValue, method: &JsValue, header_lines: &JsValue, body: &JsValue, timeout_ms: f64, to: &JsValue) -> JsValue;

    /// `headers.get(name)`, with the name as a JS string (the ones the core
    /// reads are made once, see `js_str`).
    #[wasm_bindgen(catch, js_name = headerOf)]
    pub fn header(headers: &JsValue, name: &JsValue) -> Result<JsValue, JsValue>;

    /// The string at `first` (then `second`, unless undefined) through own
    /// properties, or undefined.
    #[wasm_bindgen(js_name = fieldAt)]
    pub fn field_at(value: &JsValue, first: &JsValue, second: &JsValue) -> JsValue;

    /// The kind of value at `first` (then `second`, unless undefined):
    /// 0 missing, 1 null, 2 object, 3 array, 4 number, 5 boolean, 6 string.
    #[wasm_bindgen(js_name = fieldKind)]
    pub fn field_kind(value: &JsValue, first: &JsValue, second: &JsValue) -> f64;
}

// The names the core reads from answers, the session states, and the methods, as JS strings made
// once: a string sent from wasm is otherwise decoded on every call.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(thread_local_v2, static_string)]
    static DATA: js_sys::JsString = "data";
    #[wasm_bindgen(thread_local_v2, static_string)]
    static STATUS: js_sys::JsString = "status";
    #[wasm_bindgen(thread_local_v2, static_string)]
    static ERROR: js_sys::JsString = "error";
    #[wasm_bindgen(thread_local_v2, static_string)]
    static MESSAGE: js_sys::JsString = "message";
    #[wasm_bindgen(thread_local_v2, static_string)]
    static CONNECTION_ID: js_sys::JsString = "connection_id";
    #[wasm_bindgen(thread_local_v2, static_string)]
    static SESSION_ID: js_sys::JsString = "session_id";
    #[wasm_bindgen(thread_local_v2, static_string)]
    static AUTHORIZE_URL: js_sys::JsString = "authorize_url";
    #[wasm_bindgen(thread_local_v2, static_string)]
    static PENDING: js_sys::JsString = "pending";
    #[wasm_bindgen(thread_local_v2, static_string)]
    static COMPLETE: js_sys::JsString = "complete";
    #[wasm_bindgen(thread_local_v2, static_string)]
    static X_REQUEST_ID: js_sys::JsString = "x-request-id";
    #[wasm_bindgen(thread_local_v2, static_string)]
    static GET: js_sys::JsString = "GET";
    #[wasm_bindgen(thread_local_v2, static_string)]
    static POST: js_sys::JsString = "POST";
}

/// `s` as a JS string: one made once if it is a name the core reads or a
/// method, else a new one.
pub fn js_str(s: &str) -> JsValue {
    // By length first: this runs for every name read from every answer.
    let made_once = match (s.len(), s) {
        (4, "data") => &DATA,
        (6, "status") => &STATUS,
        (7, "pending") => &PENDING,
        (5, "error") => &ERROR,
        (13, "connection_id") => &CONNECTION_ID,
        (12, "x-request-id") => &X_REQUEST_ID,
        (3, "GET") => &GET,
        (8, "complete") => &COMPLETE,
        (7, "message") => &MESSAGE,
        (10, "session_id") => &SESSION_ID,
        (13, "authorize_url") => &AUTHORIZE_URL,
        (4, "POST") => &POST,
        _ => return JsValue::from_str(s),
    };
    made_once.with(|js| js.clone().into())
}

/// A request as the JS strings `exchange` takes. Made once per call (or,
/// for the parts that never change, once per client), so sending it again
/// (a retry, the next check of a poll) decodes no string.
pub struct JsRequest {
    pub method: JsValue,
    pub url: JsValue,
    /// `Name:value` lines, each ended by `\n`.
    pub header_lines: JsValue,
    pub body: JsValue,
}

impl JsRequest {
    pub fn new(request: &HttpRequest) -> JsRequest {
        JsRequest {
            method: js_str(request.method.as_str()),
            url: JsValue::from_str(&request.url),
            header_lines: header_lines(&request.headers),
            body: request.body.as_deref().map_or(JsValue::UNDEFINED, JsValue::from_str),
        }
    }

    /// Starts the exchange, aborted after `timeout_ms`; its end is told to
    /// `to` (js/driver.js's run of the call). Returns what stops it.
    pub fn start(&self, timeout_ms: f64, to: &JsValue) -> JsValue {
        exchange_js(&self.url, &self.method, &self.header_lines, &self.body, timeout_ms, to)
    }

    /// Starts the exchange, aborted after `timeout_ms`, as a promise.
    pub fn send(&self, timeout_ms: f64) -> Promise {
        exchange_promise(&self.url, &self.method, &self.header_lines, &self.body, timeout_ms)
    }
}

/// Headers as the `Name:value` lines js/exchange.js reads.
pub fn header_lines(headers: &crate::core::config::Headers) -> JsValue {
    let mut lines = String::new();
    for (name, value) in headers {
        lines.push_str(name);
        lines.push(':');
        lines.push_str(value);
        lines.push('\n');
    }
    JsValue::from_str(&lines)
}

/// `globalThis[name]`, or `undefined` if it is absent or its getter throws.
pub fn global(name: &str) -> JsValue {
    GLOBAL_THIS.with(|g| Reflect::get(g, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED))
}

/// `target[key]`, or `undefined` if `target` is not an object or the read throws.
pub fn get(target: &JsValue, key: &str) -> JsValue {
    if !target.is_object() && !target.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// A short human description of a fetch failure: its message, plus the
/// system error code Node puts on `cause` (`fetch failed (ECONNREFUSED)`).
pub fn describe_error(e: &JsValue) -> String {
    let mut text = get(e, "message").as_string().filter(|m| !m.is_empty()).unwrap_or_else(|| "the request failed".into());
    let cause = get(e, "cause");
    if let Some(code) = get(&cause, "code").as_string().or_else(|| get(&cause, "message").as_string()) {
        text.push_str(" (");
        text.push_str(&code);
        text.push(')');
    }
    text
}
