// The popup window of `oauth.authorize()` (browsers).
import { AirstoreError } from './errors.js';
import { look } from './options.js';

const NOT_A_BROWSER = 'authorize() needs a browser window (window.open). On a server, send the user to session.authorize_url and call oauth.poll(session.session_id)';
const BLOCKED = "The popup was blocked. Open it synchronously in the click handler, e.g. const popup = window.open('', 'airstore-oauth', 'popup'), and pass it as options.popup";

/**
 * Sends `given` (a window the caller opened in the click handler, so no
 * blocker refuses it) to `url`, or opens a new popup there.
 */
export function openPopup(url, given) {
  if (given !== undefined && given !== null) {
    if (typeof look(given, 'closed') !== 'boolean') throw new AirstoreError('options.popup must be a window, as window.open returns');
    try {
      Reflect.set(look(given, 'location'), 'href', url);
    } catch (e) {
      throw new AirstoreError('options.popup could not be sent to the authorize URL', e);
    }
    return given;
  }
  const window = look(globalThis, 'window');
  const open = look(window, 'open');
  if (typeof open !== 'function') throw new AirstoreError(NOT_A_BROWSER);
  let popup;
  try {
    popup = open.call(window, url, 'airstore-oauth', 'popup,width=520,height=720');
  } catch (e) {
    throw new AirstoreError(BLOCKED, e);
  }
  if (popup === null || popup === undefined) throw new AirstoreError(BLOCKED);
  return popup;
}

/** Closes the popup if it is still open. */
export function closePopup(popup) {
  try {
    if (popup.closed === false) popup.close();
  } catch {
    // A window that cannot be closed from here is the page's to close.
  }
}
