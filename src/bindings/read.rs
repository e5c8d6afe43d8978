//! Reading values that come from JavaScript. Nothing is trusted: a getter
//! may throw, a proxy may lie, a number may be NaN. Every problem becomes an
//! `AirstoreError` whose message names the field, before any request.

use super::convert::JsError;
use crate::core::config::{self, Headers, RequestOverrides};
use crate::core::Error;
use crate::platform::CancelSignal;
use js_sys::{Array, Function, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[wasm_bindgen(module = "/js/text.js")]
extern "C" {
    /// No lone surrogate (checked in JS: one call, not one per character).
    #[wasm_bindgen(js_name = isWellFormed)]
    fn is_well_formed(s: &js_sys::JsString) -> bool;
}

#[wasm_bindgen(module = "/js/signal.js")]
extern "C" {
    /// `addEventListener('abort', …)` and its removal do not throw.
    #[wasm_bindgen(js_name = acceptsListener)]
    fn accepts_listener(signal: &JsValue) -> bool;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn object_keys(target: &JsValue) -> Result<Array, JsValue>;

    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = getPrototypeOf)]
    fn reflect_get_prototype_of(target: &JsValue) -> Result<JsValue, JsValue>;
}

pub type Read<T> = Result<T, JsError>;

/// The longest string accepted from JS (UTF-16 units). Every string is
/// copied into wasm memory; a huge one would exhaust it and trap the
/// instance, so it is refused before the copy.
pub const MAX_STRING: u32 = 65_536;

/// A JS string as a Rust string: `None` if `value` is not a string, an error
/// naming `field` if it is too long or has a lone surrogate (which would
/// become U+FFFD on the way in, so two different values would read alike).
pub fn text(value: &JsValue, field: &str, max: u32) -> Read<Option<String>> {
    let Some(s) = value.dyn_ref::<js_sys::JsString>() else { return Ok(None) };
    if s.length() > max {
        return Err(Error::invalid(field, &format!("is too long (at most {max} characters)")));
    }
    if !is_well_formed(s) {
        return Err(Error::invalid(field, "must be well-formed Unicode (it has a lone surrogate)"));
    }
    Ok(value.as_string())
}

/// An options object being read; `path` names it in messages.
pub struct Fields<'a> {
    object: Option<&'a JsValue>,
    path: &'static str,
}

impl<'a> Fields<'a> {
    /// `undefined` reads as an empty object; anything else must be an object.
    pub fn of(value: &'a JsValue, path: &'static str) -> Read<Fields<'a>> {
        if value.is_undefined() {
            Ok(Fields { object: None, path })
        } else if value.is_object() {
            Ok(Fields { object: Some(value), path })
        } else {
            Err(Error::invalid(path, "must be an object"))
        }
    }

    fn name(&self, key: &str) -> String {
        format!("{}.{key}", self.path)
    }

    /// The raw value of `key`; a throwing getter or proxy trap is reported.
    pub fn get(&self, key: &str) -> Read<JsValue> {
        let Some(object) = self.object else { return Ok(JsValue::UNDEFINED) };
        Reflect::get(object, &JsValue::from_str(key)).map_err(|e| {
            Error::airstore(format!("{} could not be read (its getter threw)", self.name(key))).with_cause(Some(e))
        })
    }

    pub fn string(&self, key: &str) -> Read<Option<String>> {
        let value = self.get(key)?;
        if value.is_undefined() {
            return Ok(None);
        }
        let field = self.name(key);
        text(&value, &field, MAX_STRING)?.map(Some).ok_or_else(|| Error::invalid(&field, "must be a string"))
    }

    pub fn number(&self, key: &str) -> Read<Option<f64>> {
        let value = self.get(key)?;
        if value.is_undefined() {
            return Ok(None);
        }
        value.as_f64().map(Some).ok_or_else(|| Error::invalid(&self.name(key), "must be a number"))
    }

    pub fn boolean(&self, key: &str) -> Read<Option<bool>> {
        let value = self.get(key)?;
        if value.is_undefined() {
            return Ok(None);
        }
        value.as_bool().map(Some).ok_or_else(|| Error::invalid(&self.name(key), "must be a boolean"))
    }

    pub fn millis(&self, key: &str) -> Read<Option<f64>> {
        self.number(key)?.map(|n| config::millis(&self.name(key), n)).transpose()
    }

    pub fn retries(&self, key: &str) -> Read<Option<u32>> {
        self.number(key)?.map(|n| config::retries(&self.name(key), n)).transpose()
    }

    pub fn function(&self, key: &str) -> Read<Option<Function>> {
        let value = self.get(key)?;
        if value.is_undefined() {
            return Ok(None);
        }
        value.dyn_into::<Function>().map(Some).map_err(|_| Error::invalid(&self.name(key), "must be a function"))
    }

    /// A `Record<string, string>` of header names and values.
    pub fn headers(&self, key: &str) -> Read<Headers> {
        let value = self.get(key)?;
        if value.is_undefined() {
            return Ok(Vec::new());
        }
        let field = self.name(key);
        // A plain object's prototype is `Object.prototype` (whose own is
        // null) or null; a `Headers` or `Map` would pass `Object.keys` empty.
        let prototype = |v: &JsValue| reflect_get_prototype_of(v).map_err(|e| Error::invalid(&field, "could not be read").with_cause(Some(e)));
        let plain = value.is_object() && {
            let proto = prototype(&value)?;
            proto.is_null() || prototype(&proto)?.is_null()
        };
        if !plain || js_sys::Array::is_array(&value) {
            return Err(Error::invalid(&field, "must be a plain object of header names to string values"));
        }
        let names = object_keys(&value).map_err(|e| Error::invalid(&field, "could not be enumerated").with_cause(Some(e)))?;
        let mut headers = Vec::new();
        for name in names.iter() {
            let name = text(&name, &field, MAX_STRING)?.unwrap_or_default();
            let item_field = format!("{field}[\"{name}\"]");
            let item = Reflect::get(&value, &JsValue::from_str(&name))
                .map_err(|e| Error::invalid(&item_field, "could not be read (its getter threw)").with_cause(Some(e)))?;
            let item = text(&item, &item_field, MAX_STRING)?.ok_or_else(|| Error::invalid(&item_field, "must be a string"))?;
            config::header(&field, &name, &item)?;
            headers.push((name, item));
        }
        Ok(headers)
    }

    /// An `AbortSignal` (anything with `aborted` and `addEventListener`);
    /// the call's driver (js/driver.js) listens to it.
    pub fn signal(&self, key: &str) -> Read<Option<JsValue>> {
        let value = self.get(key)?;
        if value.is_undefined() {
            return Ok(None);
        }
        if !CancelSignal::is_signal(&value) || !accepts_listener(&value) {
            return Err(Error::invalid(&self.name(key), "must be an AbortSignal"));
        }
        Ok(Some(value))
    }
}

/// A session id: a non-empty string (the core refuses `.` and `..`).
pub fn session_id(value: &JsValue) -> Read<String> {
    match text(value, "sessionId", 1_024)? {
        Some(id) if !id.is_empty() => Ok(id),
        _ => Err(Error::invalid("sessionId", "must be a non-empty string")),
    }
}

/// `RequestOptions`: per-call overrides plus the signal.
pub struct RequestOptions {
    pub overrides: RequestOverrides,
    pub signal: Option<JsValue>,
}

pub fn request_options(value: &JsValue, keyless: bool) -> Read<RequestOptions> {
    if value.is_undefined() {
        // The usual case, read without a crossing per option.
        return Ok(RequestOptions { overrides: RequestOverrides::default(), signal: None });
    }
    let fields = Fields::of(value, "options")?;
    let overrides = RequestOverrides {
        timeout_ms: fields.millis("timeout")?,
        max_retries: fields.retries("maxRetries")?,
        headers: fields.headers("headers")?,
    };
    if keyless {
        refuse_authorization(&overrides.headers, "options.headers")?;
    }
    Ok(RequestOptions { overrides, signal: fields.signal("signal")? })
}

/// A keyless client never sends `Authorization`, whatever its headers say.
pub fn refuse_authorization(headers: &Headers, field: &str) -> Read<()> {
    if headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("authorization")) {
        return Err(Error::invalid(field, "must not set Authorization on a keyless client"));
    }
    Ok(())
}
