//! Core errors as instances of the package's JS error classes (js/errors.js:
//! real classes, so `instanceof` works), made through its one `makeError`.

use super::JsError;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeError)]
    fn make_error(name: &str, message: &str, status: Option<u16>, headers: &JsValue, request_id: Option<String>, cause: &JsValue) -> JsValue;
}

/// The JS error for a core error; the class comes from the core's table.
pub fn to_js(e: JsError) -> JsValue {
    let headers = e.headers.map_or(JsValue::UNDEFINED, |h| h.0.into());
    let cause = e.cause.unwrap_or(JsValue::UNDEFINED);
    make_error(e.class.name(), &e.message, e.status, &headers, e.request_id, &cause)
}
