// The return page (/oauth/return): where Airstore sends the window after the
// provider. In the popup, completeReturn() tells the opener's authorize() to
// check at once (a BroadcastChannel on this origin; the message carries
// nothing but its type) and closes the window. After a redirect-mode flow
// this tab is the app itself: back to the app, which resumes the flow.
import { completeReturn } from 'airstore-wasm';

// When you clicked Allow: this page's navigation started then (the gateway's
// redirect is part of it). The app shows "confirmed N ms after you approved".
localStorage.setItem('demo-approved-at', String(Math.round(performance.timeOrigin)));

if (sessionStorage.getItem('airstore-oauth')) {
  location.replace('/'); // redirect mode: the app's start calls oauth.resume()
} else {
  completeReturn();
  document.getElementById('message').textContent = 'Connected. You can close this window.';
}
