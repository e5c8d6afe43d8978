//! Direct bindings to JS globals. Every import that can run user code or
//! throw is declared `catch`: a JS exception must come back as a `Result`,
//! never unwind through wasm frames.

use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen]
extern "C" {
    /// `globalThis`, for optional features (`document`, `process`).
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL_THIS: JsValue;

    /// The global `fetch`, looked up when called (never captured at load),
    /// so it works in browsers, workerd, Node, Deno and Bun alike and
    /// respects a test double installed later.
    #[wasm_bindgen(catch, js_name = fetch)]
    pub fn fetch(url: &str, init: &web_sys::RequestInit) -> Result<Promise, JsValue>;

    /// Anything with `get(name)`: a `Headers`.
    type HeaderList;
    #[wasm_bindgen(catch, method, js_name = get)]
    fn get(this: &HeaderList, name: &str) -> Result<Option<String>, JsValue>;
}

/// `headers.get(name)`.
pub fn header(headers: &web_sys::Headers, name: &str) -> Result<Option<String>, JsValue> {
    headers.unchecked_ref::<HeaderList>().get(name)
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

/// Whether this is a browser page (a `window` with a `document`): no
/// `User-Agent` there, and a keyed client needs `dangerouslyAllowBrowser`.
pub fn is_browser() -> bool {
    global("window").is_object() && global("document").is_object()
}

/// Whether this is a server runtime whose requests say who sends them:
/// Node (and Bun, which reports a Node version), Deno, workerd.
pub fn is_server() -> bool {
    let node = get(&get(&global("process"), "versions"), "node").is_string();
    let deno = global("Deno").is_object();
    let workerd = get(&global("navigator"), "userAgent").as_string().as_deref() == Some("Cloudflare-Workers");
    !is_browser() && (node || deno || workerd)
}
