//! Two ways to put Rust behind a promise-returning JS method, each doing
//! the least a getSession can do (build the URL, one exchange, read one
//! field, build the result), so the difference between them and plain JS is
//! the cost of the shape itself.
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

#[wasm_bindgen(module = "/js/io.js")]
extern "C" {
    fn io(url: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = statusOf)]
    fn status_of(parsed: &JsValue) -> Option<String>;
    #[wasm_bindgen(js_name = makeResult)]
    fn make_result(status: &str) -> JsValue;
}

fn url(id: &str) -> String {
    format!("http://127.0.0.1:9/api/v1/oauth/sessions/{id}")
}

fn read(parsed: &JsValue) -> Result<JsValue, JsValue> {
    let status = status_of(parsed).ok_or_else(|| JsValue::from_str("no status"))?;
    Ok(make_result(&status))
}

/// The shape airstore-wasm has: an async export; the future awaits the
/// exchange's promise (wasm-bindgen-futures on both ends).
#[wasm_bindgen(js_name = asyncGet)]
pub fn async_get(id: String) -> js_sys::Promise {
    future_to_promise(async move {
        let parsed = JsFuture::from(io(&url(&id))).await?;
        read(&parsed)
    })
}

/// The sans-IO shape: JS awaits, Rust plans the request and reads the
/// answer in two synchronous calls.
#[wasm_bindgen(js_name = planGet)]
pub fn plan_get(id: &str) -> String {
    url(id)
}

#[wasm_bindgen(js_name = readGet)]
pub fn read_get(parsed: JsValue) -> Result<JsValue, JsValue> {
    read(&parsed)
}
