//! From core values to JS values: results with a non-enumerable
//! `lastResponse`, and errors as instances of the JS error classes.

use crate::core::response::ResponseMeta;
use crate::core::Error;
use crate::platform::JsHeaders;
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/js/errors.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeError)]
    fn make_error(name: &str, message: &str, status: Option<u16>, headers: &JsValue, request_id: Option<String>, cause: &JsValue) -> JsValue;
}

pub type JsError = Error<JsHeaders, JsValue>;

/// The JS error for a core error; the class comes from the core's table.
pub fn error(e: JsError) -> JsValue {
    let headers = e.headers.map_or(JsValue::UNDEFINED, |h| h.0.into());
    let cause = e.cause.unwrap_or(JsValue::UNDEFINED);
    make_error(e.class.name(), &e.message, e.status, &headers, e.request_id, &cause)
}

/// A plain object with the documented snake_case fields (absent ones
/// omitted), plus `lastResponse` as a non-enumerable property so it stays
/// out of `JSON.stringify` and spreads.
pub fn result<T: Serialize>(value: &T, meta: Option<ResponseMeta<JsHeaders>>) -> Result<JsValue, JsValue> {
    let object = serde_wasm_bindgen::to_value(value).map_err(|e| error(Error::airstore(format!("could not build the result: {e}"))))?;
    if let Some(meta) = meta {
        crate::platform::attach_response(&object, meta.status_code, &meta.headers.0, meta.request_id);
    }
    Ok(object)
}
