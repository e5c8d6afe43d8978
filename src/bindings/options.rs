//! Reading what the caller passes: every value from JavaScript, before
//! anything is sent. Nothing is trusted: a getter may throw, a proxy may
//! lie, a number may be NaN, a prototype may be polluted. Options are read
//! from own properties only, so `Object.prototype.baseURL` set elsewhere in
//! an app reaches nothing. Each problem is an `AirstoreError` whose message
//! names the field; the rules themselves are in [`crate::core::check`].

use super::JsError;
use crate::core::check::{self, MAX_SESSION_ID, MAX_STRING};
use crate::core::config::{ClientConfig, Headers, RequestOverrides, DEFAULT_BASE_URL, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT_MS, USER_AGENT};
use crate::core::poll::PollOptions;
use crate::core::text::concat;
use crate::core::{CreateSessionParams, Error};
use crate::platform::{is_browser, is_server, js_get, js_global, CancelSignal};
use js_sys::JsString;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

type Checked<T> = Result<T, JsError>;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(catch, js_namespace = Object, js_name = hasOwn)]
    fn has_own(target: &JsValue, key: &str) -> Result<bool, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = get)]
    fn reflect_get(target: &JsValue, key: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Reflect, js_name = getPrototypeOf)]
    fn prototype_of(target: &JsValue) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn own_keys(target: &JsValue) -> Result<js_sys::Array, JsValue>;
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(value: &JsValue) -> Result<bool, JsValue>;
    /// `new URL(url)`: whether the runtime's own parser (what fetch uses) accepts it.
    #[wasm_bindgen(js_name = URL)]
    type Url;
    #[wasm_bindgen(catch, constructor, js_class = "URL")]
    fn new_url(url: &str) -> Result<Url, JsValue>;
}

fn invalid(field: &str, why: &str) -> JsError {
    Error::invalid(field, why)
}

fn unreadable(field: &str, cause: JsValue) -> JsError {
    Error::airstore(concat(&[field, " could not be read (its getter threw)"])).with_cause(Some(cause))
}

/// `value` as a Rust string if it is a JS string: its length checked before
/// it is copied into wasm memory, and lone surrogates refused (they would
/// become U+FFFD, so two different values would read alike).
fn text(value: &JsValue, field: &str, max: usize) -> Checked<Option<String>> {
    let Some(js) = value.dyn_ref::<JsString>() else { return Ok(None) };
    check::length(field, js.length() as usize, max)?;
    if !js.is_valid_utf16() {
        return Err(invalid(field, "must be well-formed Unicode (it has a lone surrogate)"));
    }
    Ok(js.as_string())
}

/// Whether the runtime's URL parser accepts `url`.
fn parses(url: &str) -> bool {
    Url::new_url(url).is_ok()
}

/// An options object being read; `path` names it in messages.
pub struct Fields {
    object: Option<JsValue>,
    path: &'static str,
}

impl Fields {
    pub fn new(value: &JsValue, path: &'static str) -> Checked<Fields> {
        if value.is_undefined() {
            return Ok(Fields { object: None, path });
        }
        if !value.is_object() {
            return Err(invalid(path, "must be an object"));
        }
        Ok(Fields { object: Some(value.clone()), path })
    }

    fn field(&self, key: &str) -> String {
        concat(&[self.path, ".", key])
    }

    /// The raw value of own property `key`; a throwing getter or proxy trap
    /// is reported.
    pub fn get(&self, key: &str) -> Checked<JsValue> {
        let Some(object) = &self.object else { return Ok(JsValue::UNDEFINED) };
        match has_own(object, key) {
            Ok(false) => Ok(JsValue::UNDEFINED),
            Ok(true) => reflect_get(object, &JsValue::from_str(key)).map_err(|e| unreadable(&self.field(key), e)),
            Err(e) => Err(unreadable(&self.field(key), e)),
        }
    }

    pub fn string(&self, key: &str) -> Checked<Option<String>> {
        let value = self.get(key)?;
        if value.is_undefined() {
            return Ok(None);
        }
        let field = self.field(key);
        match text(&value, &field, MAX_STRING)? {
            Some(s) => Ok(Some(s)),
            None => Err(invalid(&field, "must be a string")),
        }
    }

    pub fn boolean(&self, key: &str) -> Checked<Option<bool>> {
        let value = self.get(key)?;
        if value.is_undefined() {
            return Ok(None);
        }
        value.as_bool().map(Some).ok_or_else(|| invalid(&self.field(key), "must be a boolean"))
    }

    pub fn function(&self, key: &str) -> Checked<Option<js_sys::Function>> {
        let value = self.get(key)?;
        if value.is_undefined() {
            return Ok(None);
        }
        value.dyn_into::<js_sys::Function>().map(Some).map_err(|_| invalid(&self.field(key), "must be a function"))
    }

    fn number(&self, key: &str) -> Checked<Option<f64>> {
        let value = self.get(key)?;
        if value.is_undefined() {
            return Ok(None);
        }
        value.as_f64().map(Some).ok_or_else(|| invalid(&self.field(key), "must be a number"))
    }

    /// A duration in milliseconds.
    pub fn millis(&self, key: &str) -> Checked<Option<f64>> {
        self.number(key)?.map(|n| check::millis(&self.field(key), n)).transpose()
    }

    /// A retry count.
    pub fn retries(&self, key: &str) -> Checked<Option<u32>> {
        self.number(key)?.map(|n| check::retries(&self.field(key), n)).transpose()
    }

    /// A `Record<string, string>` of header names and values.
    pub fn headers(&self, key: &str) -> Checked<Headers> {
        let value = self.get(key)?;
        if value.is_undefined() {
            return Ok(Vec::new());
        }
        let field = self.field(key);
        let could_not = |what: &str, e: JsValue| Error::airstore(concat(&[&field, " could not be ", what])).with_cause(Some(e));
        // A plain object's prototype is Object.prototype (whose own is null)
        // or null: a Headers, a Map or an array would pass Object.keys empty.
        let plain = value.is_object() && {
            let own = prototype_of(&value).map_err(|e| could_not("read", e))?;
            let plain_prototype = own.is_null() || prototype_of(&own).map_err(|e| could_not("read", e))?.is_null();
            // (isArray last: it throws on a revoked proxy, which the prototype read reports.)
            plain_prototype && !is_array(&value).map_err(|e| could_not("read", e))?
        };
        if !plain {
            return Err(invalid(&field, "must be a plain object of header names to string values"));
        }
        let names = own_keys(&value).map_err(|e| could_not("enumerated", e))?;
        let mut headers = Vec::with_capacity(names.length() as usize);
        for name in names.iter() {
            let Some(name_text) = text(&name, &field, MAX_STRING)? else { continue };
            let item_field = concat(&[&field, "[\"", &name_text, "\"]"]);
            let item = reflect_get(&value, &name).map_err(|e| unreadable(&item_field, e))?;
            let Some(item) = text(&item, &item_field, MAX_STRING)? else {
                return Err(invalid(&item_field, "must be a string"));
            };
            check::header(&field, &item_field, &name_text, &item)?;
            headers.push((name_text, item));
        }
        Ok(headers)
    }

    /// An AbortSignal (an `aborted` boolean, and `addEventListener` that
    /// takes an 'abort' listener), watched for the call.
    pub fn signal(&self, key: &str) -> Checked<Option<CancelSignal>> {
        let value = self.get(key)?;
        if value.is_undefined() {
            return Ok(None);
        }
        CancelSignal::watch(&value).map(Some).ok_or_else(|| invalid(&self.field(key), "must be an AbortSignal"))
    }

    /// An array of strings.
    pub fn strings(&self, key: &str) -> Checked<Option<Vec<String>>> {
        let value = self.get(key)?;
        if value.is_undefined() {
            return Ok(None);
        }
        let field = self.field(key);
        if !is_array(&value).unwrap_or(false) {
            return Err(invalid(&field, "must be an array of strings"));
        }
        let array: js_sys::Array = value.unchecked_into();
        let mut out = Vec::new();
        for item in array.iter() {
            match text(&item, &field, MAX_STRING)? {
                Some(s) => out.push(s),
                None => return Err(invalid(&field, "must be an array of strings")),
            }
        }
        Ok(Some(out))
    }
}

/// `process.env[name]` where a `process` exists (Node, Bun, Deno; workerd
/// with nodejs_compat).
fn env(name: &str) -> Option<String> {
    js_get(&js_get(&js_global("process"), "env"), name).as_string().filter(|v| !v.is_empty())
}

/// A page served over https cannot call an http API (mixed content): say so
/// now instead of failing later with an opaque network error.
fn refuse_mixed_content(field: &str, url: &str, what: &str) -> Checked<()> {
    let page = js_get(&js_global("location"), "protocol").as_string();
    if page.as_deref() == Some("https:") && check::is_plain_http_elsewhere(url) {
        return Err(invalid(field, what));
    }
    Ok(())
}

pub const KEY_IN_BROWSER: &str = "options.apiKey must not be used in a browser page: anyone who opens the page can read it. \
Create sessions on your server and use Airstore.keyless() here, or pass dangerouslyAllowBrowser: true if this page is private";

/// `ClientOptions` (or the keyless client's), with the environment
/// fallbacks and the core's defaults.
pub fn client_options(value: &JsValue, keyless: bool) -> Checked<ClientConfig> {
    let fields = Fields::new(value, "options")?;
    let api_key = if keyless {
        if !fields.get("apiKey")?.is_undefined() {
            return Err(invalid("options.apiKey", "must not be given to Airstore.keyless: a browser must never hold the key"));
        }
        None
    } else {
        let key = match fields.string("apiKey")? {
            Some(key) => Some(key),
            None => env("AIRSTORE_API_KEY"),
        };
        let Some(key) = key.filter(|k| !k.is_empty()) else { return Err(Error::airstore(check::MISSING_API_KEY)) };
        check::api_key(&key)?;
        if is_browser() && fields.boolean("dangerouslyAllowBrowser")? != Some(true) {
            return Err(Error::airstore(KEY_IN_BROWSER));
        }
        Some(key.into())
    };
    // Messages name where the URL came from: the option, else the environment.
    let base_url = match fields.string("baseURL")? {
        Some(given) => Some(("options.baseURL", given)),
        None => env("AIRSTORE_BASE_URL").map(|url| ("AIRSTORE_BASE_URL", url)),
    };
    let base_url = match base_url {
        Some((field, raw)) => {
            let url = check::base_url(field, &raw)?;
            if !parses(&url) {
                return Err(invalid(field, "must be an http(s) URL that parses (check the host and port)"));
            }
            refuse_mixed_content(field, &url, "is http: but this page is https:, and browsers block such requests (mixed content); use an https: baseURL")?;
            Some(url)
        }
        None => None,
    };
    let default_headers = fields.headers("defaultHeaders")?;
    if keyless {
        check::no_authorization("options.defaultHeaders", &default_headers)?;
    }
    Ok(ClientConfig {
        api_key,
        base_url: base_url.unwrap_or_else(|| DEFAULT_BASE_URL.to_string()),
        timeout_ms: fields.millis("timeout")?.unwrap_or(DEFAULT_TIMEOUT_MS),
        max_retries: fields.retries("maxRetries")?.unwrap_or(DEFAULT_MAX_RETRIES),
        default_headers,
        user_agent: is_server().then_some(USER_AGENT),
    })
}

/// `RequestOptions`: the overrides and the signal.
pub fn request_options(value: &JsValue, keyless: bool) -> Checked<(RequestOverrides, Option<CancelSignal>)> {
    let fields = Fields::new(value, "options")?;
    let overrides = RequestOverrides { timeout_ms: fields.millis("timeout")?, max_retries: fields.retries("maxRetries")?, headers: fields.headers("headers")? };
    if keyless {
        check::no_authorization("options.headers", &overrides.headers)?;
    }
    Ok((overrides, fields.signal("signal")?))
}

/// A session id: a non-empty string (the request builder refuses '.' and '..').
pub fn session_id(value: &JsValue, field: &str) -> Checked<String> {
    let id = text(value, field, MAX_SESSION_ID)?.unwrap_or_default();
    check::session_id(field, &id)?;
    Ok(id)
}

/// `OAuthSessionCreateParams`.
pub fn create_params(value: &JsValue) -> Checked<CreateSessionParams> {
    if value.is_undefined() {
        return Err(invalid("params", "must be an object with an integrationType"));
    }
    let fields = Fields::new(value, "params")?;
    let Some(integration_type) = fields.string("integrationType")?.filter(|t| !t.is_empty()) else {
        return Err(invalid("params.integrationType", &concat(&["is required: a provider such as ", check::INTEGRATION_TYPES])));
    };
    Ok(CreateSessionParams { integration_type, workspace_id: fields.string("workspaceId")?, return_to: fields.string("returnTo")? })
}

/// `OAuthPollOptions` (also the base of authorize's options).
pub struct Poll {
    pub options: PollOptions,
    pub on_status: Option<js_sys::Function>,
    /// The poll's own signal, else `None` (the request options' applies).
    pub signal: Option<CancelSignal>,
    pub fields: Fields,
}

pub fn poll_options(value: &JsValue, path: &'static str) -> Checked<Poll> {
    let fields = Fields::new(value, path)?;
    let defaults = PollOptions::default();
    let options = PollOptions {
        timeout_ms: fields.millis("timeout")?.unwrap_or(defaults.timeout_ms),
        interval_ms: fields.millis("interval")?.unwrap_or(defaults.interval_ms),
    };
    let on_status = fields.function("onStatus")?;
    let signal = fields.signal("signal")?;
    Ok(Poll { options, on_status, signal, fields })
}

/// authorize's `mode`: 'popup' (the default), 'redirect' or 'auto'.
pub fn mode(fields: &Fields) -> Checked<super::Mode> {
    match fields.string("mode")?.as_deref() {
        None | Some("popup") => Ok(super::Mode::Popup),
        Some("redirect") => Ok(super::Mode::Redirect),
        Some("auto") => Ok(super::Mode::Auto),
        Some(_) => Err(invalid(&fields.field("mode"), "must be 'popup', 'redirect' or 'auto'")),
    }
}

/// The session authorize was given: `session_id` and `authorize_url`.
pub fn authorize_session(value: &JsValue) -> Checked<(String, String)> {
    if value.is_undefined() {
        return Err(invalid("session", "must be the object createSession returned"));
    }
    let fields = Fields::new(value, "session")?;
    // Too long, or a lone surrogate, reads the same to the caller.
    let id = session_id(&fields.get("session_id")?, "session.session_id").map_err(|_| invalid("session.session_id", "must be a non-empty string"))?;
    let Some(url) = fields.string("authorize_url")? else { return Err(invalid("session.authorize_url", "must be a string")) };
    check::http_url("session.authorize_url", &url)?;
    if !parses(&url) {
        return Err(invalid("session.authorize_url", "must be an http(s) URL that parses"));
    }
    Ok((id, url))
}

/// The popup's reach: never a plain http URL from an https page (loopback
/// aside), and only the hosts the caller allows, if it names any.
pub fn authorize_reach(url: &str, allowed_hosts: Option<&[String]>) -> Checked<()> {
    refuse_mixed_content("session.authorize_url", url, "is http: but this page is https:; an authorize URL must be https")?;
    if let Some(allowed) = allowed_hosts {
        let authority = check::authority(url);
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        if !allowed.iter().any(|a| a.eq_ignore_ascii_case(host) || a.eq_ignore_ascii_case(host.split(':').next().unwrap_or(host))) {
            return Err(invalid("session.authorize_url", &concat(&["goes to ", host, ", which is not in options.allowedAuthorizeHosts"])));
        }
    }
    Ok(())
}
