// The browser's SIP user agent (JsSIP, vendored in ./vendor) over WebSocket (RFC 7118) to the gateway.
// Credentials are short-lived and issued by the signed-in web session; the member's password never
// reaches this page.
import { post } from '../api.js';

/** How long the WebSocket to the gateway may take to open before the call is given up. */
const CONNECT_TIMEOUT_MS = 10000;

let loading = null;
function loadJsSip() {
  if (window.JsSIP) return Promise.resolve(window.JsSIP);
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = 'js/phone/vendor/jssip-3.13.8.min.js';
      s.onload = () => resolve(window.JsSIP);
      s.onerror = () => reject(new Error('could not load the phone library'));
      document.head.append(s);
    });
  }
  return loading;
}

// JsSIP sends the INVITE as soon as the SDP offer is ready, connected or not: with a fast microphone (or a
// slow network) that is before the WebSocket is open, and the call fails. So the call waits for it.
function connected(ua) {
  return new Promise((resolve, reject) => {
    const fail = () => { clearTimeout(timer); reject(new Error('Connection Error')); };
    const timer = setTimeout(fail, CONNECT_TIMEOUT_MS);
    ua.once('connected', () => { clearTimeout(timer); resolve(); });
    ua.once('disconnected', fail);
  });
}

// handlers: { state(words, kind), ended(reasonEvent), remoteStream(stream) }
export async function placeCall(number, handlers) {
  const JsSIP = await loadJsSip();
  const cred = await post('/api/v1/phone/credentials', {});
  const socket = new JsSIP.WebSocketInterface(cred.webSocketUrl);
  const ua = new JsSIP.UA({ sockets: [socket], uri: cred.uri, password: cred.password, authorization_user: cred.username,
    register: false, session_timers: false, connection_recovery_max_interval: 4, user_agent: 'mileage-web-phone' });
  let session = null;
  let over = false;
  let leaving = null;
  const finish = (e) => {
    if (over) return;
    over = true;
    if (leaving) {
      window.removeEventListener('pagehide', leaving);
      window.removeEventListener('hashchange', leaving);
    }
    handlers.ended(e);
    setTimeout(() => ua.stop(), 0);
  };
  ua.on('disconnected', () => { if (session && !over) finish({ cause: 'Connection Error' }); });
  ua.start();
  try {
    await connected(ua);
  } catch (e) {
    over = true;
    ua.stop();
    throw e;
  }
  session = ua.call(`sip:${number}@${cred.domain}`, {
    mediaConstraints: { audio: true, video: false },
    pcConfig: { iceServers: [] },
    rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: false },
  });
  // JsSIP ends a call whose ICE failed itself: before the answer as a local cancel, after it with an RTP
  // timeout, and it has closed the connection by the time we hear of it. This page cancels only when the
  // member hangs up, so a local cancel the member did not ask for is that failure: say what happened.
  let hungUp = false;
  const mediaFailed = (e) => e && (e.cause === 'RTP Timeout' || (e.originator === 'local' && e.cause === 'Canceled' && !hungUp));
  const ended = (e) => finish(mediaFailed(e) ? { cause: 'Media Failed', originator: 'system' } : e);
  session.on('connecting', () => handlers.state('Dialing…', 'dialing'));
  session.on('progress', () => handlers.state('Ringing…', 'ringing'));
  session.on('confirmed', () => handlers.state('Connected', 'connected'));
  session.on('ended', ended);
  session.on('failed', ended);
  session.connection.addEventListener('track', (e) => handlers.remoteStream(e.streams[0] || new MediaStream([e.track])));
  const hangUp = () => { hungUp = true; if (!over) session.terminate(); };
  // Leaving the page (reload, another site, closing the tab) or the phone view (another page of the site)
  // hangs up first: the BYE (or CANCEL) leaves on the open WebSocket. Otherwise the call would run on with
  // nobody to hear it or hang it up, billed until the gateway noticed the silence or the balance ran out.
  leaving = hangUp;
  window.addEventListener('pagehide', leaving);
  window.addEventListener('hashchange', leaving);
  return {
    hangUp,
    mute: (on) => (on ? session.mute({ audio: true }) : session.unmute({ audio: true })),
    dtmf: (digit) => session.sendDTMF(digit, { transportType: 'RFC2833', duration: 120 }),
    stats: () => session.connection.getStats(),
  };
}
