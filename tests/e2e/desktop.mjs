// Focus and visibility as a desktop browser has them, for the Chromium
// tests (not a test file itself). Chromium under Playwright tells every page
// it has focus, always, so a flow behind a consent page's COOP (the window
// reads closed at once) would look abandoned after authorize's 1.5 s grace.
// Here the opener loses focus when it opens a window and gets it back when
// the test says the person came back (`__focusBack()`); `__setHidden(bool)`
// plays the tab going to the background and back (visibilityState +
// visibilitychange); `__blockPopups = true` makes window.open return null, as
// a popup blocker does. Pass it to `context.addInitScript`.
export function desktopBrowser() {
  let focused = true;
  let hidden = false;
  Document.prototype.hasFocus = function hasFocus() {
    return focused;
  };
  Object.defineProperty(Document.prototype, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
  Object.defineProperty(Document.prototype, 'hidden', { configurable: true, get: () => hidden });
  const open = window.open;
  window.__opened = 0;
  window.open = function (...args) {
    window.__opened++;
    if (window.__blockPopups) return null;
    const w = open.apply(this, args);
    if (w) focused = false;
    return w;
  };
  window.__focusBack = () => {
    focused = true;
    window.dispatchEvent(new Event('focus'));
  };
  window.__setHidden = (value) => {
    hidden = value;
    document.dispatchEvent(new Event('visibilitychange'));
  };
}
