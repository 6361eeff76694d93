// The browser's SIP user agent (JsSIP, vendored in ./vendor) over WebSocket (RFC 7118) to the gateway.
// Credentials are short-lived and issued by the signed-in web session; the member's password never
// reaches this page.
import { post } from '../api.js';

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

// handlers: { state(words, kind), ended(reasonEvent), remoteStream(stream) }
export async function placeCall(number, handlers) {
  const JsSIP = await loadJsSip();
  const cred = await post('/api/v1/phone/credentials', {});
  const socket = new JsSIP.WebSocketInterface(cred.webSocketUrl);
  const ua = new JsSIP.UA({ sockets: [socket], uri: cred.uri, password: cred.password, authorization_user: cred.username,
    register: false, session_timers: false, connection_recovery_max_interval: 4, user_agent: 'mileage-web-phone' });
  let session = null;
  let over = false;
  const finish = (e) => {
    if (over) return;
    over = true;
    handlers.ended(e);
    setTimeout(() => ua.stop(), 0);
  };
  ua.on('disconnected', () => { if (session && !over) finish({ cause: 'Connection Error' }); });
  ua.start();
  session = ua.call(`sip:${number}@${cred.domain}`, {
    mediaConstraints: { audio: true, video: false },
    pcConfig: { iceServers: [] },
    rtcOfferConstraints: { offerToReceiveAudio: true, offerToReceiveVideo: false },
  });
  session.on('connecting', () => handlers.state('Dialing…', 'dialing'));
  session.on('progress', () => handlers.state('Ringing…', 'ringing'));
  session.on('confirmed', () => handlers.state('Connected', 'connected'));
  session.on('ended', finish);
  session.on('failed', finish);
  session.connection.addEventListener('track', (e) => handlers.remoteStream(e.streams[0] || new MediaStream([e.track])));
  return {
    hangUp: () => { if (!over) session.terminate(); },
    mute: (on) => (on ? session.mute({ audio: true }) : session.unmute({ audio: true })),
    dtmf: (digit) => session.sendDTMF(digit, { transportType: 'RFC2833', duration: 120 }),
    stats: () => session.connection.getStats(),
  };
}
