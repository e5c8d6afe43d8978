//! authorize's window (browsers): opened in a popup, or the window the
//! caller opened in its click handler sent to the authorize URL; closed at
//! the end.

use super::JsError;
use crate::core::{Error, ErrorClass};
use crate::platform::{js_get, js_global};
use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

pub const NOT_A_BROWSER: &str =
    "authorize() needs a browser window (window.open). On a server, send the user to session.authorize_url and call oauth.poll(session.session_id)";
pub const BLOCKED: &str = "The popup was blocked. Open it synchronously in the click handler, e.g. const popup = window.open('', 'airstore-oauth', 'popup'), and pass it as options.popup";

/// Sends `given` (a window the caller opened in the click handler, so no
/// blocker refuses it) to `url`, or opens a new popup there.
pub fn open(url: &str, given: &JsValue) -> Result<JsValue, JsError> {
    if !given.is_undefined() && !given.is_null() {
        if js_get(given, "closed").as_bool().is_none() {
            return Err(Error::airstore("options.popup must be a window, as window.open returns"));
        }
        Reflect::set(&js_get(given, "location"), &JsValue::from_str("href"), &JsValue::from_str(url))
            .map_err(|e| Error::airstore("options.popup could not be sent to the authorize URL").with_cause(Some(e)))?;
        return Ok(given.clone());
    }
    let blocked = Error::airstore(BLOCKED).with_class(ErrorClass::PopupBlockedError);
    match open_window(url) {
        Some(Ok(popup)) if popup.is_object() => Ok(popup),
        Some(Ok(_)) => Err(blocked),
        Some(Err(e)) => Err(blocked.with_cause(Some(e))),
        None => Err(Error::airstore(NOT_A_BROWSER)),
    }
}

/// `window.open(url)` as authorize's window: its name and size are decided
/// here only (`openAuthorizeWindow()` opens the same one blank, in a click
/// handler). `None` outside a browser.
pub fn open_window(url: &str) -> Option<Result<JsValue, JsValue>> {
    let window = js_global("window");
    let open = js_get(&window, "open").dyn_into::<Function>().ok()?;
    Some(open.call3(&window, &JsValue::from_str(url), &JsValue::from_str("airstore-oauth"), &JsValue::from_str("popup,width=520,height=720")))
}

/// The `sessionStorage` key of a redirect flow under way.
pub const REDIRECT_KEY: &str = "airstore-oauth";

fn session_storage() -> Result<JsValue, JsError> {
    // Reading `sessionStorage` itself throws where storage is off.
    let storage = js_sys::Reflect::get(&js_global("window"), &JsValue::from_str("sessionStorage")).unwrap_or(JsValue::UNDEFINED);
    if storage.is_object() { Ok(storage) } else { Err(Error::airstore("authorize({ mode: 'redirect' }) needs sessionStorage, which this page does not have")) }
}

fn storage_call(storage: &JsValue, method: &str, args: &[&JsValue]) -> Result<JsValue, JsValue> {
    let f = js_get(storage, method).dyn_into::<Function>().map_err(|_| JsValue::from_str(method))?;
    match args {
        [] => f.call0(storage),
        [a] => f.call1(storage, a),
        [a, b, ..] => f.call2(storage, a, b),
    }
}

/// Redirect mode: keeps `{ id, deadline }` for `resume()` and sends the
/// whole page to `url`.
pub fn redirect(id: &str, url: &str, deadline: f64) -> Result<(), JsError> {
    let location = js_get(&js_global("window"), "location");
    let Ok(assign) = js_get(&location, "assign").dyn_into::<Function>() else { return Err(Error::airstore(NOT_A_BROWSER)) };
    let storage = session_storage()?;
    let entry = js_sys::Object::new();
    let _ = Reflect::set(&entry, &JsValue::from_str("id"), &JsValue::from_str(id));
    let _ = Reflect::set(&entry, &JsValue::from_str("deadline"), &JsValue::from_f64(deadline));
    let text = js_sys::JSON::stringify(&entry).map_err(|e| Error::airstore("the redirect could not be kept").with_cause(Some(e)))?;
    storage_call(&storage, "setItem", &[&JsValue::from_str(REDIRECT_KEY), &text])
        .map_err(|e| Error::airstore("the redirect could not be kept in sessionStorage").with_cause(Some(e)))?;
    assign.call1(&location, &JsValue::from_str(url)).map_err(|e| Error::airstore("the page could not be sent to the authorize URL").with_cause(Some(e)))?;
    Ok(())
}

/// The redirect flow kept by `redirect`, if any: (session id, deadline). An
/// entry that does not read back is dropped.
pub fn stored() -> Option<(String, f64)> {
    let storage = session_storage().ok()?;
    let text = storage_call(&storage, "getItem", &[&JsValue::from_str(REDIRECT_KEY)]).ok()?.as_string()?;
    let entry = js_sys::JSON::parse(&text).ok();
    let id = entry.as_ref().map(|e| js_get(e, "id")).and_then(|v| v.as_string()).filter(|id| !id.is_empty() && id.len() <= crate::core::check::MAX_SESSION_ID);
    let deadline = entry.as_ref().map(|e| js_get(e, "deadline")).and_then(|v| v.as_f64()).filter(|d| d.is_finite());
    match (id, deadline) {
        (Some(id), Some(deadline)) => Some((id, deadline)),
        _ => {
            forget();
            None
        }
    }
}

/// Clears the redirect flow's entry.
pub fn forget() {
    if let Ok(storage) = session_storage() {
        let _ = storage_call(&storage, "removeItem", &[&JsValue::from_str(REDIRECT_KEY)]);
    }
}

/// Closes the popup if it is still open (a window that cannot be closed from
/// here is the page's to close).
pub fn close(popup: &JsValue) {
    if js_get(popup, "closed").as_bool() == Some(false) {
        if let Ok(close) = js_get(popup, "close").dyn_into::<Function>() {
            let _ = close.call0(popup);
        }
    }
}

