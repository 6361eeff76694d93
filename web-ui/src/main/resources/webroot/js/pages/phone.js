// The phone page (issue 6): dial a number, talk from the browser, pay with mileage by the second.
// Before dialing: balance and the minutes it buys for the typed number (the metering tariff). While
// connected: remaining points and time counting down each second from the live-balance stream.
import { el, page, pts } from '../dom.js';
import { get } from '../api.js';
import { refreshHeader } from '../session.js';
import { placeCall } from '../phone/sip-phone.js';
import { endedInWords, mmss, normalizeNumber } from '../phone/call-words.js';

const CODES = [['+82', 'Korea'], ['+1', 'USA / Canada'], ['+44', 'UK'], ['+81', 'Japan'], ['+86', 'China'],
  ['+49', 'Germany'], ['+33', 'France'], ['+61', 'Australia'], ['+65', 'Singapore'], ['+91', 'India']];
const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'];

function ensureCss() {
  if (document.querySelector('link[href="css/phone.css"]')) return;
  document.head.append(el('link', { rel: 'stylesheet', href: 'css/phone.css' }));
}

function mileage(state) {
  const m = (state.balances || []).find(b => b.code === 'MILEAGE');
  return m ? m.available : 0;
}

// How many seconds a balance buys at a tariff (first increment, then subsequent increments).
export function secondsFor(balance, t) {
  if (!t || t.pointsPerMinute <= 0) return null;
  const perSecond = t.pointsPerMinute / 60;
  const first = Math.max(t.minimumChargePoints || 0, Math.ceil(perSecond * t.initialIncrementSeconds));
  if (balance < first) return 0;
  const rest = balance - first;
  const inc = Math.max(1, t.subsequentIncrementSeconds);
  return t.initialIncrementSeconds + Math.floor(rest / Math.ceil(perSecond * inc)) * inc;
}

// The same in whole minutes.
export function minutesFor(balance, t) {
  const s = secondsFor(balance, t);
  return s === null ? null : Math.floor(s / 60);
}

export async function render(main, { state }) {
  ensureCss();
  if (!state.signedIn) {
    page(main, 'Phone', el('p', {}, 'Sign in to call any phone number with your mileage. ',
      el('a', { href: '#/signin' }, 'Sign in')));
    return;
  }
  const number = el('input', { id: 'phone-number', type: 'tel', inputmode: 'tel', autocomplete: 'tel',
    placeholder: '+82 10 1234 5678', 'aria-describedby': 'phone-rate phone-code-help', list: 'phone-codes' });
  const codes = el('datalist', { id: 'phone-codes' }, CODES.map(([c, n]) => el('option', { value: c }, n)));
  const rate = el('p', { id: 'phone-rate', 'aria-live': 'polite' });
  const balanceLine = el('p', { id: 'phone-balance' }, `Your mileage: ${pts(mileage(state))}`);
  const callBtn = el('button', { type: 'button', id: 'phone-call', class: 'call' }, 'Call');
  const hangBtn = el('button', { type: 'button', id: 'phone-hangup', class: 'hangup', disabled: true }, 'Hang up');
  const muteBtn = el('button', { type: 'button', id: 'phone-mute', class: 'secondary', disabled: true, 'aria-pressed': 'false' }, 'Mute');
  const stateLine = el('p', { id: 'phone-state', class: 'state', role: 'status', 'aria-live': 'polite' }, 'Ready');
  const live = el('div', { id: 'phone-live', class: 'live', 'aria-live': 'off' });
  const liveWords = el('p', { id: 'phone-live-words', class: 'muted' });
  const warning = el('p', { id: 'phone-warning', class: 'warning', role: 'alert', hidden: true });
  const error = el('p', { id: 'phone-error', class: 'error', role: 'alert', hidden: true });
  const recent = el('tbody', { id: 'phone-recent' });
  const audio = el('audio', { id: 'phone-audio', autoplay: true });
  let call = null;
  let muted = false;
  let tariff = null;
  let ticker = null;
  let lastLive = null;
  let events = null;
  let exhausted = false; // the meter ended the call because the balance ran out
  const RAN_OUT = 'Your mileage ran out — the call ended at 0:00.';

  const showError = (text) => { error.textContent = text; error.hidden = !text; };
  const pad = el('div', { class: 'pad', role: 'group', 'aria-label': 'Dial pad' }, KEYS.map(k =>
    el('button', { type: 'button', class: 'secondary', 'data-key': k, 'aria-label': `key ${k}`, onclick: () => press(k) }, k)));

  function press(k) {
    if (call) { call.dtmf(k); return; } // in a call the keys send tones (RFC 4733)
    number.value += k;
    number.dispatchEvent(new Event('input'));
    number.focus();
  }

  let rateTimer = null;
  number.addEventListener('input', () => {
    clearTimeout(rateTimer);
    rateTimer = setTimeout(updateRate, 250);
  });
  number.addEventListener('keydown', e => { if (e.key === 'Enter') { e.preventDefault(); dial(); } });

  async function updateRate() {
    const n = normalizeNumber(number.value);
    tariff = null;
    if (!number.value.trim()) { rate.textContent = ''; return; }
    if (!n) { rate.textContent = 'Type the number with its country code, e.g. +82 for Korea.'; return; }
    try {
      const r = await get(`/api/v1/metering/rate?number=${encodeURIComponent(n)}`);
      if (r.result !== 'RATED' || !r.tariff) { rate.textContent = r.result === 'BLOCKED' ? 'This destination cannot be called.' : 'This destination is not served.'; return; }
      tariff = r.tariff;
      const seconds = secondsFor(mileage(state), tariff);
      const buys = seconds >= 60 ? `about ${Math.floor(seconds / 60)} min` : `about ${mmss(seconds)}`;
      rate.textContent = `${r.label || n}: ${pts(tariff.pointsPerMinute)} a minute — your ${pts(mileage(state))} buy ${buys}.`;
    } catch (e) {
      rate.textContent = `Could not get the price: ${e.message}`;
    }
  }

  function setInCall(on) {
    callBtn.disabled = on;
    hangBtn.disabled = !on;
    muteBtn.disabled = !on;
    number.disabled = on;
  }

  async function dial() {
    if (call) return;
    showError('');
    warning.hidden = true;
    const n = normalizeNumber(number.value);
    if (!n) { showError('This number is not valid. Use the international format, e.g. +82 10 1234 5678.'); number.focus(); return; }
    if (tariff && secondsFor(mileage(state), tariff) === 0) {
      showError('Not enough mileage for this call. Earn more in the shop.');
      return;
    }
    try {
      const s = await navigator.mediaDevices.getUserMedia({ audio: true });
      s.getTracks().forEach(t => t.stop());
    } catch (e) {
      showError(e && e.name === 'NotFoundError' ? 'No microphone found. Connect one and try again.'
        : 'Microphone access was blocked. Allow the microphone for this site and try again.');
      return;
    }
    setInCall(true);
    stateLine.textContent = 'Dialing…';
    watchLive();
    try {
      call = await placeCall(n, {
        state: (words) => { stateLine.textContent = words; },
        remoteStream: (stream) => { audio.srcObject = stream; },
        ended: (e) => ended(e),
      });
      window.phoneCall = call; // for diagnostics (getStats) and tests
    } catch (e) {
      ended({ cause: e.message });
    }
  }

  function ranOut() {
    exhausted = true;
    stateLine.textContent = `Ended: ${RAN_OUT}`;
    warning.hidden = true;
    showError(RAN_OUT);
    live.textContent = `0:00 left · ${pts(0)}`;
    live.dataset.remainingSeconds = '0';
    live.dataset.remainingPoints = '0';
  }

  function ended(e) {
    const byGateway = e && e.originator === 'remote' && (e.cause === 'BYE' || e.cause === 'Terminated');
    const nearZero = lastLive && lastLive.finalUnit && lastLive.remainingSeconds - (Date.now() - lastLive.receivedAt) / 1000 <= 2;
    const code = e && e.message && e.message.status_code;
    if (exhausted || (byGateway && nearZero)) {
      ranOut();
    } else {
      const words = endedInWords(e);
      stateLine.textContent = `Ended: ${words}`;
      if (code && code !== 487) showError(words);
      else if (e && (e.cause === 'Connection Error' || e.cause === 'Media Failed')) showError(words);
    }
    call = null;
    window.phoneCall = null;
    muted = false;
    muteBtn.textContent = 'Mute';
    muteBtn.setAttribute('aria-pressed', 'false');
    setInCall(false);
    clearInterval(ticker);
    // the stream stays open briefly for the final 'ended' event; a call dialed meanwhile keeps its own
    const stream = events;
    setTimeout(() => { if (stream) stream.close(); if (events === stream) events = null; refreshAfterCall(); }, 1500);
  }

  function watchLive() {
    if (events) events.close();
    lastLive = null;
    exhausted = false;
    events = new EventSource('/api/v1/metering/my/live');
    events.addEventListener('balance', ev => {
      const d = JSON.parse(ev.data);
      if (d.service && d.service !== 'CALL') return;
      lastLive = { ...d, receivedAt: Date.now() };
      draw();
      if (d.finalUnit) {
        warning.textContent = `Last unit: about ${mmss(d.remainingSeconds)} left before your mileage runs out.`;
        warning.hidden = false;
      }
    });
    events.addEventListener('final-unit', () => {
      warning.textContent = 'Your mileage is about to run out: the call will end when the time reaches 0:00.';
      warning.hidden = false;
    });
    events.addEventListener('ending', ev => {
      const d = JSON.parse(ev.data);
      if (d.reason === 'BALANCE_EXHAUSTED') { exhausted = true; if (!call) ranOut(); }
    });
    events.addEventListener('ended', ev => {
      const d = JSON.parse(ev.data);
      if (d.reason === 'BALANCE_EXHAUSTED') { exhausted = true; if (!call) ranOut(); }
      clearInterval(ticker);
      lastLive = null;
      liveWords.textContent = `Billed ${mmss(d.billedSeconds)} for ${pts(d.points)}.`;
    });
    events.onerror = () => { if (call) liveWords.textContent = 'Live balance reconnecting…'; };
    clearInterval(ticker);
    ticker = setInterval(draw, 1000);
  }

  function draw() {
    if (!lastLive) return;
    const elapsed = (Date.now() - lastLive.receivedAt) / 1000;
    const seconds = Math.max(0, lastLive.remainingSeconds - elapsed);
    const perSecond = tariff ? tariff.pointsPerMinute / 60 : 0;
    // between pushes the points fall at the tariff's rate, never below what the meter last said is left
    const points = Math.max(0, Math.round(lastLive.remainingPoints - perSecond * Math.min(elapsed, 1)));
    live.textContent = `${mmss(seconds)} left · ${pts(points)}`;
    live.dataset.remainingSeconds = String(Math.floor(seconds));
    live.dataset.remainingPoints = String(points);
    liveWords.textContent = `Used ${mmss(lastLive.usedSeconds + elapsed)} for ${pts(lastLive.usedPoints)} so far.`;
  }

  async function refreshAfterCall() {
    await refreshHeader();
    balanceLine.textContent = `Your mileage: ${pts(mileage(state))}`;
    await loadRecent();
    updateRate();
  }

  async function loadRecent() {
    try {
      const r = await get('/api/v1/metering/my/usage?limit=10');
      const rows = (r.records || []).filter(x => x.service === 'CALL');
      recent.replaceChildren(...(rows.length ? rows.map(x => el('tr', {},
        el('td', {}, new Date(x.endedAt).toLocaleString()), el('td', {}, x.destination || ''),
        el('td', {}, mmss(x.durationSeconds ?? x.usedSeconds ?? 0)), el('td', {}, pts(x.points)),
        el('td', {}, x.reason.toLowerCase().replaceAll('_', ' '))))
        : [el('tr', {}, el('td', { colspan: 5, class: 'muted' }, 'No calls yet.'))]));
    } catch (e) {
      recent.replaceChildren(el('tr', {}, el('td', { colspan: 5 }, `Could not load recent calls: ${e.message}`)));
    }
  }

  callBtn.addEventListener('click', dial);
  hangBtn.addEventListener('click', () => call && call.hangUp());
  muteBtn.addEventListener('click', () => {
    if (!call) return;
    muted = !muted;
    call.mute(muted);
    muteBtn.textContent = muted ? 'Unmute' : 'Mute';
    muteBtn.setAttribute('aria-pressed', String(muted));
  });
  window.addEventListener('offline', () => { if (call) showError('Network connection lost. The call may drop.'); }, { once: true });

  page(main, 'Phone', el('div', { class: 'phone' },
    el('section', { class: 'dialer', 'aria-label': 'Dialer' },
      balanceLine,
      el('label', { for: 'phone-number' }, 'Number ', el('span', { class: 'hint', id: 'phone-code-help' },
        '— international format: + country code, then the number (Korea +82, USA +1, UK +44)')),
      number, codes, rate, pad,
      el('div', { class: 'actions' }, callBtn, hangBtn, muteBtn)),
    el('section', { class: 'panel', 'aria-label': 'Call' },
      stateLine, live, liveWords, warning, error, audio,
      el('h2', {}, 'Recent calls'),
      el('table', {}, el('thead', {}, el('tr', {}, ['When', 'Number', 'Duration', 'Points', 'Ended'].map(h => el('th', {}, h)))), recent))));
  loadRecent();
}
