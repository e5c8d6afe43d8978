//! One HTTP exchange over the global `fetch`: the request's headers and body,
//! an `AbortController` that the timer, the caller's signal and dropping the
//! future all abort, and the whole body read under the same timer and a cap.

use super::js;
use crate::core::client::TransportError;
use crate::core::request::HttpRequest;
use crate::core::response::{Body, Field, HeaderMap, Response, MAX_BODY_BYTES};
use crate::core::text::{concat, decimal};
use js_sys::{Object, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Response headers: the JS `Headers` object itself, so errors and
/// `lastResponse` can carry it.
#[derive(Clone, Debug)]
pub struct JsHeaders(pub web_sys::Headers);

impl HeaderMap for JsHeaders {
    fn get(&self, name: &str) -> Option<String> {
        js::header(&self.0, name).ok().flatten()
    }
}

/// A body as `JSON.parse` left it (parsed by the engine: no JSON parser in
/// the wasm).
pub struct JsBody {
    empty: bool,
    parsed: Option<JsValue>,
}

impl JsBody {
    /// The body's text, parsed as JSON if it is JSON.
    pub fn from_text(text: &str) -> JsBody {
        JsBody { empty: text.is_empty(), parsed: js_sys::JSON::parse(text).ok() }
    }

    /// A body already parsed (`None`: not JSON).
    pub fn new(parsed: Option<JsValue>, empty: bool) -> JsBody {
        JsBody { empty, parsed }
    }

    /// The value at `path` through own properties only, so names like
    /// `__proto__` or `constructor` never reach the prototype.
    fn at(&self, path: &[&str]) -> Option<JsValue> {
        let mut value = self.parsed.clone()?;
        for name in path {
            if !value.is_object() || js_sys::Array::is_array(&value) {
                return None;
            }
            let object: &Object = value.unchecked_ref();
            if !Object::has_own(object, &JsValue::from_str(name)) {
                return None;
            }
            value = Reflect::get(&value, &JsValue::from_str(name)).ok()?;
        }
        Some(value)
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
        let Some(value) = self.at(path) else { return Field::Missing };
        if value.is_null() {
            Field::Null
        } else if let Some(s) = value.as_string() {
            Field::String(s)
        } else if js_sys::Array::is_array(&value) {
            Field::Other("an array")
        } else if value.is_object() {
            Field::Object
        } else if value.as_bool().is_some() {
            Field::Other("a boolean")
        } else {
            Field::Other("a number")
        }
    }
}

/// Aborts the exchange's controller when dropped, unless it finished: a
/// future dropped mid-exchange leaves no request running.
struct Abort(Option<web_sys::AbortController>);

impl Abort {
    fn now(&mut self) {
        if let Some(controller) = self.0.take() {
            controller.abort();
        }
    }

    fn finished(&mut self) {
        self.0 = None;
    }
}

impl Drop for Abort {
    fn drop(&mut self) {
        self.now();
    }
}

/// An answer this client will not read (never retried).
fn unreadable(detail: &str) -> TransportError<JsValue> {
    TransportError::Unreadable { detail: detail.into() }
}

/// Sends `request` and reads its whole body. The caller races this against
/// its timer and the caller's signal; dropping it aborts the request.
pub async fn exchange(request: &HttpRequest) -> Result<Response<JsHeaders, JsBody>, TransportError<JsValue>> {
    // A runtime without AbortController cannot be stopped: a network error.
    let controller = web_sys::AbortController::new().map_err(super::network)?;
    let mut abort = Abort(Some(controller.clone()));
    let init = web_sys::RequestInit::new();
    init.set_method(request.method.as_str());
    let headers = web_sys::Headers::new().map_err(super::network)?;
    for (name, value) in &request.headers {
        headers.append(name, value).map_err(super::network)?;
    }
    init.set_headers(&headers);
    if let Some(body) = &request.body {
        init.set_body(&JsValue::from_str(body));
    }
    init.set_signal(Some(&controller.signal()));
    // The API never redirects, and a redirect must not carry the key elsewhere.
    init.set_redirect(web_sys::RequestRedirect::Manual);
    let answer = js::fetch(&request.url, &init).map_err(super::network)?;
    let answer = JsFuture::from(answer).await.map_err(super::network)?;
    let response = well_formed(&answer)?;
    let body = read_body(&response).await?;
    abort.finished();
    Ok(Response { status: response.status(), headers: JsHeaders(response.headers()), body: JsBody::from_text(&body) })
}

/// What `fetch` resolved with, if it is a `Response` this client can read.
fn well_formed(answer: &JsValue) -> Result<web_sys::Response, TransportError<JsValue>> {
    let Some(response) = answer.dyn_ref::<web_sys::Response>() else {
        return Err(unreadable("fetch resolved with something that is not a Response"));
    };
    // An opaque redirect (redirect: 'manual') has status 0.
    if response.type_() == web_sys::ResponseType::Opaqueredirect {
        return Err(unreadable("the server answered with a redirect, which this client does not follow (check baseURL)"));
    }
    if !(200..=599).contains(&response.status()) {
        return Err(unreadable(&concat(&["fetch resolved with a Response whose status is ", &decimal(response.status().into())])));
    }
    Ok(Clone::clone(response))
}

/// Lets `promise` settle unobserved (a cancelled body), without an
/// unhandled rejection.
fn settle_quietly(promise: js_sys::Promise) {
    wasm_bindgen_futures::spawn_local(async move {
        let _ = JsFuture::from(promise).await;
    });
}

/// The cap, as the messages say it.
fn too_large() -> TransportError<JsValue> {
    unreadable(&concat(&["the response body is larger than ", &decimal(MAX_BODY_BYTES as u64), " bytes, the most this client reads"]))
}

/// The whole body as text (UTF-8, bad bytes replaced), read chunk by chunk
/// so that an oversized body is refused without being held.
async fn read_body(response: &web_sys::Response) -> Result<String, TransportError<JsValue>> {
    let declared = js::header(&response.headers(), "content-length").ok().flatten().and_then(|n| crate::core::text::whole_number(n.trim()));
    let Some(stream) = response.body() else { return Ok(String::new()) };
    if declared.is_some_and(|n| n > MAX_BODY_BYTES as i64) {
        settle_quietly(stream.cancel());
        return Err(too_large());
    }
    let reader: web_sys::ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut bytes = Vec::new();
    loop {
        let chunk = JsFuture::from(reader.read()).await.map_err(super::network)?;
        if Reflect::get(&chunk, &JsValue::from_str("done")).ok().and_then(|d| d.as_bool()) == Some(true) {
            break;
        }
        let value = Reflect::get(&chunk, &JsValue::from_str("value")).unwrap_or(JsValue::UNDEFINED);
        let Some(part) = value.dyn_ref::<Uint8Array>() else {
            settle_quietly(reader.cancel());
            return Err(unreadable("the response body gave a chunk that is not bytes"));
        };
        if bytes.len() + part.length() as usize > MAX_BODY_BYTES {
            settle_quietly(reader.cancel());
            return Err(too_large());
        }
        let start = bytes.len();
        bytes.resize(start + part.length() as usize, 0);
        if let Some(into) = bytes.get_mut(start..) {
            part.copy_to(into);
        }
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
