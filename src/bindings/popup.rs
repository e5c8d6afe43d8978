//! The popup window of `oauth.authorize()`.

use super::read::Read;
use crate::core::Error;
use crate::platform::{js_get, js_global};
use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

const NOT_A_BROWSER: &str = "authorize() needs a browser window (window.open). On a server, send the user to session.authorize_url and call oauth.poll(session.session_id)";
const BLOCKED: &str = "The popup was blocked. Open it synchronously in the click handler, e.g. const popup = window.open('', 'airstore-oauth', 'popup'), and pass it as options.popup";

/// Sends `given` (a window the caller opened in the click handler) to `url`,
/// or opens a new popup there.
pub fn open(url: &str, given: JsValue) -> Read<JsValue> {
    if !given.is_undefined() && !given.is_null() {
        if js_get(&given, "closed").as_bool().is_none() {
            return Err(Error::invalid("options.popup", "must be a window, as window.open returns"));
        }
        let location = js_get(&given, "location");
        Reflect::set(&location, &"href".into(), &JsValue::from_str(url))
            .map_err(|e| Error::invalid("options.popup", "could not be sent to the authorize URL").with_cause(Some(e)))?;
        return Ok(given);
    }
    let window = js_global("window");
    let open: Function = js_get(&window, "open").dyn_into().map_err(|_| Error::airstore(NOT_A_BROWSER))?;
    let features = JsValue::from_str("popup,width=520,height=720");
    let popup = open
        .call3(&window, &JsValue::from_str(url), &JsValue::from_str("airstore-oauth"), &features)
        .map_err(|e| Error::airstore(BLOCKED).with_cause(Some(e)))?;
    if popup.is_null() || popup.is_undefined() {
        return Err(Error::airstore(BLOCKED));
    }
    Ok(popup)
}

/// Closes the popup if it is still open.
pub fn close(popup: &JsValue) {
    if js_get(popup, "closed").as_bool() == Some(false) {
        if let Ok(close) = js_get(popup, "close").dyn_into::<Function>() {
            let _ = close.call0(popup);
        }
    }
}
