//! The JS face: the `Airstore` client and its `OAuth` resource, exported
//! with wasm-bindgen. Each method is an `async fn` that wasm-bindgen-futures
//! turns into the promise the caller gets: it reads and checks the caller's
//! values ([`options`]), then runs the call through the one driver,
//! [`crate::core::client`], over [`WebPlatform`] (fetch and timers), and
//! hands back a plain result object ([`results`]) or a JS error ([`errors`]).

mod errors;
mod options;
mod popup;
mod results;

use crate::core::client::{self, PError};
use crate::core::config::{ClientConfig, RequestOverrides};
use crate::core::request;
use crate::core::error::messages;
use crate::core::{Error, ErrorClass, SessionStatus};
use crate::platform::{JsHeaders, Notice, PopupWatch, WebPlatform};
use js_sys::{Function, Object, Reflect};
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// An error as the core knows it, on this platform.
pub type JsError = Error<JsHeaders, JsValue>;

const FREED: &str = "This Airstore client was freed (free() or a `using` block ended): make a new one";

/// A client's configuration while it is open; `None` once freed. Shared by
/// the `Airstore` and its `OAuth`, and held by each call under way, so
/// freeing wipes the key (config::ApiKey) once no call still needs it.
type Slot = Rc<RefCell<Option<Rc<Client>>>>;

struct Client {
    config: ClientConfig,
    /// Made by `Airstore.keyless`: never sends Authorization.
    keyless: bool,
}

/// The Airstore client.
#[wasm_bindgen]
pub struct Airstore {
    /// The `OAuth` wrapper, made once: `airstore.oauth` is the same object on
    /// every access.
    oauth: JsValue,
    slot: Slot,
}

#[wasm_bindgen]
impl Airstore {
    /// `new Airstore(options?)`: throws `AirstoreError` without an API key.
    #[wasm_bindgen(constructor)]
    pub fn new(options: JsValue) -> Result<Airstore, JsValue> {
        Airstore::make(&options, false).map_err(errors::to_js)
    }

    /// A client without an API key, for browsers: `getSession`, `poll` and
    /// `authorize` need none; `createSession` is refused.
    pub fn keyless(options: JsValue) -> Result<Airstore, JsValue> {
        Airstore::make(&options, true).map_err(errors::to_js)
    }

    /// The OAuth resource.
    #[wasm_bindgen(getter)]
    pub fn oauth(&self) -> JsValue {
        self.oauth.clone()
    }

    /// Wipes the API key from wasm memory and ends the client: its methods
    /// then reject with an `AirstoreError`. (In place of wasm-bindgen's own
    /// `free()`, which would leave later calls a raw "null pointer passed to
    /// rust"; the object's memory goes when it is garbage-collected.)
    #[wasm_bindgen(js_name = free)]
    pub fn close(&self) {
        self.slot.borrow_mut().take();
    }
}

impl Airstore {
    fn make(options: &JsValue, keyless: bool) -> Result<Airstore, JsError> {
        let config = options::client_options(options, keyless)?;
        let slot: Slot = Rc::new(RefCell::new(Some(Rc::new(Client { config, keyless }))));
        let oauth = JsValue::from(OAuth { slot: slot.clone() });
        bind_methods(&oauth);
        Ok(Airstore { oauth, slot })
    }
}

/// The four methods as own properties bound to `oauth`, so
/// `const { poll } = airstore.oauth` works as it does with other SDKs.
fn bind_methods(oauth: &JsValue) {
    for name in ["createSession", "getSession", "poll", "authorize"] {
        let key = JsValue::from_str(name);
        let Ok(method) = Reflect::get(oauth, &key).and_then(|m| m.dyn_into::<Function>()) else { continue };
        let descriptor = Object::new();
        let _ = Reflect::set(&descriptor, &JsValue::from_str("value"), &method.bind0(oauth));
        let _ = Reflect::set(&descriptor, &JsValue::from_str("writable"), &JsValue::TRUE);
        let _ = Reflect::set(&descriptor, &JsValue::from_str("configurable"), &JsValue::TRUE);
        Object::define_property(oauth.unchecked_ref::<Object>(), &key, &descriptor);
    }
}

/// `airstore.oauth`: interactive connection flows where users authorize
/// access in their browser. There is no field to read the API key back,
/// and it appears in no message.
#[wasm_bindgen]
pub struct OAuth {
    slot: Slot,
}

#[wasm_bindgen]
impl OAuth {
    /// `POST /oauth/sessions`: resolves with `{ session_id, authorize_url }`.
    /// Refused, before anything is sent, by a keyless client.
    #[wasm_bindgen(js_name = createSession)]
    pub async fn create_session(&self, params: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let client = self.client()?;
        let run = async {
            let params = options::create_params(&params)?;
            let (overrides, signal) = options::request_options(&options, client.keyless)?;
            let (session, meta) = client::create_session(&WebPlatform::new(signal), &client.config, &params, &overrides).await?;
            results::with_response(&session, meta)
        };
        run.await.map_err(errors::to_js)
    }

    /// `GET /oauth/sessions/{id}`: the session's status.
    #[wasm_bindgen(js_name = getSession)]
    pub async fn get_session(&self, session_id: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let client = self.client()?;
        let run = async {
            let id = options::session_id(&session_id, "sessionId")?;
            let (overrides, signal) = options::request_options(&options, client.keyless)?;
            let (status, meta) = client::get_session(&WebPlatform::new(signal), &client.config, &id, &overrides).await?;
            results::with_response(&status, meta)
        };
        run.await.map_err(errors::to_js)
    }

    /// Checks the session every `interval` until it is complete (resolve)
    /// or failed (reject), or `timeout` passes (reject); `onStatus(status,
    /// attempt)` sees every check.
    pub async fn poll(&self, session_id: JsValue, poll_opts: JsValue, options: JsValue) -> Result<JsValue, JsValue> {
        let client = self.client()?;
        let run = async {
            let id = options::session_id(&session_id, "sessionId")?;
            let (overrides, request_signal) = options::request_options(&options, client.keyless)?;
            let mut poll = options::poll_options(&poll_opts, "pollOpts")?;
            let platform = WebPlatform::new(poll.signal.take().or(request_signal)).waking();
            checks(&client, &platform, &id, &poll, &overrides, &Events::default(), &|| false).await
        };
        run.await.map_err(errors::to_js)
    }

    /// Browsers: sends the person to `session.authorize_url` in a popup
    /// (or `options.popup`), or the whole page there (`mode: 'redirect'`,
    /// finished by `resume()`), polls until the session completes, closes the
    /// popup and resolves with the completed status. A window that reads
    /// closed is a hint (a check at once); the flow ends with
    /// `PopupClosedError` only once the person has left it.
    pub async fn authorize(&self, session: JsValue, options: JsValue, request_options: JsValue) -> Result<JsValue, JsValue> {
        let client = self.client()?;
        let mut window = None;
        let mut events = Events::default();
        let run = async {
            let (id, url) = options::authorize_session(&session)?;
            let (overrides, request_signal) = options::request_options(&request_options, client.keyless)?;
            let mut poll = options::poll_options(&options, "options")?;
            events = Events(poll.fields.function("onEvent")?.map(Rc::new));
            let mode = options::mode(&poll.fields)?;
            let end_on_close = poll.fields.boolean("endOnClose")?.unwrap_or(true);
            let allowed = poll.fields.strings("allowedAuthorizeHosts")?;
            options::authorize_reach(&url, allowed.as_deref())?;
            // Checked before a window opens or the page moves: an id the
            // request refuses ('.', '..') opens and navigates nothing.
            request::path_segment::<JsHeaders, JsValue>(&id)?;
            let signal = poll.signal.take().or(request_signal);
            let opened = match mode {
                Mode::Redirect => None,
                Mode::Popup | Mode::Auto => match popup::open(&url, &poll.fields.get("popup")?) {
                    Ok(w) => Some(w),
                    Err(e) if e.class == ErrorClass::PopupBlockedError => {
                        events.emit("blocked", &[]);
                        if mode == Mode::Popup {
                            return Err(e);
                        }
                        None
                    }
                    Err(e) => return Err(e),
                },
            };
            let Some(popup) = opened else {
                popup::redirect(&id, &url, js_sys::Date::now() + poll.options.timeout_ms)?;
                events.emit("opened", &[("mode", JsValue::from_str("redirect"))]);
                // The page is leaving: this promise settles in the next one,
                // as resume()'s.
                return std::future::pending().await;
            };
            window = Some(popup.clone());
            events.emit("opened", &[("mode", JsValue::from_str("popup"))]);
            let told = events.clone();
            let platform = WebPlatform::new(signal).waking().watching(PopupWatch::new(popup, end_on_close)).telling(move |n| told.notice(n));
            checks(&client, &platform, &id, &poll, &overrides, &events, &|| platform.user_left()).await
        };
        let outcome = run.await;
        // The window we opened (or were given) is not left behind, blank or
        // on a finished consent page, whatever the outcome.
        if let Some(w) = window.or_else(|| given_popup(&options)) {
            popup::close(&w);
        }
        events.finish(outcome)
    }

    /// On the return page of a redirect flow, or at app start: finishes the
    /// flow `authorize({ mode: 'redirect' })` began (a check at once, then
    /// polls until its deadline). Resolves `null` when there is none; the
    /// kept entry is cleared on every outcome.
    pub async fn resume(&self, options: JsValue, request_options: JsValue) -> Result<JsValue, JsValue> {
        let client = self.client()?;
        let mut events = Events::default();
        let mut resumed = false;
        let run = async {
            let (overrides, request_signal) = options::request_options(&request_options, client.keyless)?;
            let mut poll = options::poll_options(&options, "options")?;
            events = Events(poll.fields.function("onEvent")?.map(Rc::new));
            let Some((id, deadline)) = popup::stored() else { return Ok(JsValue::NULL) };
            resumed = true;
            // At least one check, with time for it, even past the deadline.
            poll.options.timeout_ms = (deadline - js_sys::Date::now()).max(RESUME_MIN_MS);
            let told = events.clone();
            let platform = WebPlatform::new(poll.signal.take().or(request_signal)).waking().telling(move |n| told.notice(n));
            checks(&client, &platform, &id, &poll, &overrides, &events, &|| false).await
        };
        let outcome = run.await;
        popup::forget();
        if resumed { events.finish(outcome) } else { outcome.map_err(errors::to_js) }
    }

    /// Wipes the API key and ends the client (see `Airstore.free`).
    #[wasm_bindgen(js_name = free)]
    pub fn close(&self) {
        self.slot.borrow_mut().take();
    }
}

impl OAuth {
    /// The client, unless it was freed.
    fn client(&self) -> Result<Rc<Client>, JsValue> {
        self.slot.borrow().clone().ok_or_else(|| errors::to_js(Error::airstore(FREED)))
    }
}

/// `oauth.resume()` checks at least once, with this long for it, even when
/// the kept deadline has passed (a finished session is still held ~30 s).
const RESUME_MIN_MS: f64 = 5_000.0;

/// On the page at `returnTo` (the app's own origin), where the gateway sends
/// the popup after the provider: tells the opener's `authorize()` to check at
/// once (a `BroadcastChannel` on this origin, a `localStorage` write as
/// fallback; the message carries no session id and no secret), and closes
/// this window where the browser allows it. Works after a COOP hop: it needs
/// no window handle.
#[wasm_bindgen(js_name = completeReturn)]
pub fn complete_return() {
    crate::platform::signal_return();
}

/// Opens authorize's window blank, for a click handler to open it before it
/// awaits anything (popup blockers allow a window only during the click);
/// pass it to `authorize` as `options.popup`. `null` when it was blocked or
/// there is no browser window.
#[wasm_bindgen(js_name = openAuthorizeWindow)]
pub fn open_authorize_window() -> JsValue {
    match popup::open_window("") {
        Some(Ok(window)) if window.is_object() => window,
        _ => JsValue::NULL,
    }
}

/// authorize's mode.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Popup,
    Redirect,
    /// A popup, and the redirect when the popup is blocked.
    Auto,
}

/// The caller's `onEvent`, told of each step of a browser flow: `{ type, at }`
/// plus details. What it throws is ignored: events report, they do not steer.
#[derive(Clone, Default)]
struct Events(Option<Rc<Function>>);

impl Events {
    fn emit(&self, kind: &str, details: &[(&str, JsValue)]) {
        let Some(callback) = &self.0 else { return };
        let event = Object::new();
        let _ = Reflect::set(&event, &JsValue::from_str("type"), &JsValue::from_str(kind));
        let _ = Reflect::set(&event, &JsValue::from_str("at"), &JsValue::from_f64(js_sys::Date::now()));
        for (name, value) in details {
            let _ = Reflect::set(&event, &JsValue::from_str(name), value);
        }
        let _ = callback.call1(&JsValue::UNDEFINED, &event);
    }

    fn notice(&self, notice: Notice) {
        match notice {
            Notice::Returned => self.emit("returned", &[]),
            Notice::WindowClosed => self.emit("window_closed", &[]),
        }
    }

    /// The flow's one terminal event, and its outcome for the caller.
    fn finish(&self, outcome: Result<JsValue, JsError>) -> Result<JsValue, JsValue> {
        match outcome {
            Ok(result) => {
                self.emit("completed", &[("connection_id", Reflect::get(&result, &JsValue::from_str("connection_id")).unwrap_or(JsValue::UNDEFINED))]);
                Ok(result)
            }
            Err(e) => {
                let kind = match e.message.as_str() {
                    m if m == messages::CANCELLED => "cancelled",
                    m if m.starts_with(messages::POLL_TIMED_OUT) => "timed_out",
                    _ => "failed",
                };
                let error = errors::to_js(e);
                match kind {
                    "failed" => self.emit(kind, &[("error", error.clone())]),
                    _ => self.emit(kind, &[]),
                }
                Err(error)
            }
        }
    }
}

/// `options.popup` of a failed authorize, if it can be read.
fn given_popup(options: &JsValue) -> Option<JsValue> {
    let popup = options::Fields::new(options, "options").ok()?.get("popup").ok()?;
    popup.is_object().then_some(popup)
}

/// The checks of `poll` and `authorize` (one copy of the poll in the wasm):
/// `onStatus` is told of each; a throw ends the poll.
async fn checks(
    client: &Client,
    platform: &WebPlatform,
    id: &str,
    poll: &options::Poll,
    overrides: &RequestOverrides,
    events: &Events,
    window_closed: &dyn Fn() -> bool,
) -> Result<JsValue, JsError> {
    let mut tell = |status: &SessionStatus, attempt: u32| -> Result<(), PError<WebPlatform>> {
        events.emit("check", &[("status", JsValue::from_str(status.status.name())), ("attempt", JsValue::from(attempt))]);
        let Some(callback) = &poll.on_status else { return Ok(()) };
        let status = results::plain(status)?;
        callback
            .call2(&JsValue::UNDEFINED, &status, &JsValue::from(attempt))
            .map(drop)
            .map_err(|e| Error::airstore("onStatus threw, so the poll stopped").with_cause(Some(e)))
    };
    let (status, meta) = client::poll(platform, &client.config, id, poll.options, overrides, &mut tell, window_closed).await?;
    results::with_response(&status, meta)
}
