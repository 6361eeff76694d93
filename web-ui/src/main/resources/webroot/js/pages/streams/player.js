// The player of one stream item: price and the minutes the balance buys before starting; then the
// browser's own player on the member's stream link, remaining points and time from the live-balance
// stream (counting down each second while playing, frozen while paused), a warning before the end and
// a clear message when the balance runs out (the gateway cuts the stream; the page only says so).
import { el, page, pts } from '../../dom.js';
import { currentCsrf as csrf, get, post } from '../../api.js';
import { refreshHeader } from '../../session.js';
import { mmss } from '../../phone/call-words.js';
import { KIND_WORDS, sizeWords } from '../streams.js';

const WARN_SECONDS = 30;
const HEARTBEAT_MS = 5000;
const STALL_MS = 3000;

export async function renderPlayer(main, { itemId, notify }) {
  let item;
  try {
    item = await get(`/api/v1/streams/items/${itemId}`);
  } catch (e) {
    page(main, 'Streams', el('p', {}, e.status === 404 ? 'No such item.' : e.message), el('a', { href: '#/streams' }, 'Back to the catalog'));
    return;
  }
  const timed = ['VIDEO', 'MUSIC', 'VOICE'].includes(item.kind);
  const quote = el('p', { id: 'stream-quote' }, item.pointsPerMinute == null ? 'This item has no price yet.'
    : `${pts(item.pointsPerMinute)} a minute. Your ${pts(item.balance)} buy about ${item.affordableMinutes} min`
      + (item.affordableMinutes < 1 ? ` (${item.affordableSeconds} s)` : '') + '.');
  const startBtn = el('button', { type: 'button', id: 'stream-start' }, item.kind === 'DATABASE' ? 'Open' : timed ? 'Start' : 'Get the download');
  const stopBtn = el('button', { type: 'button', id: 'stream-stop', class: 'secondary', disabled: true }, 'Stop');
  const stateLine = el('p', { id: 'stream-state', class: 'state', role: 'status', 'aria-live': 'polite' }, 'Not started');
  const points = el('span', { id: 'stream-points' }, '—');
  const time = el('span', { id: 'stream-time' }, '—');
  const warning = el('p', { id: 'stream-warning', class: 'warning', role: 'alert', hidden: true });
  const message = el('p', { id: 'stream-message', class: 'message', role: 'alert', hidden: true });
  const stage = el('div', { id: 'stream-stage' });
  page(main, item.title, el('div', { class: 'stream-player' },
    el('section', { class: 'panel', 'aria-label': 'Player' },
      el('p', { class: 'muted' }, `${KIND_WORDS[item.kind] || item.kind} · ${sizeWords(item)}`), el('p', {}, item.description),
      stage, el('div', { class: 'actions' }, startBtn, stopBtn)),
    el('section', { class: 'panel', 'aria-label': 'Balance' }, quote, stateLine,
      el('p', { class: 'live' }, points, ' · ', time), el('p', { class: 'muted' }, 'points left · time left'),
      warning, message, el('p', {}, el('a', { href: '#/streams' }, 'Back to the catalog')))));

  let session = null;
  let live = null;
  let events = null;
  let ticker = null;
  let heartbeat = null;
  let stallTimer = null;
  let ended = false;
  let media = null;

  const show = (box, text, isError = false) => {
    box.textContent = text || '';
    box.hidden = !text;
    if (box === message) box.className = isError ? 'message error' : 'message';
  };
  const control = (action, body) => post(`/api/v1/streams/sessions/${session.sessionId}/${action}`, body)
    .catch(e => { if (e.status === 410) finish(null); else show(message, e.message, true); });

  function draw() {
    if (!live) return;
    points.textContent = pts(live.remainingPoints);
    time.textContent = mmss(live.remainingSeconds);
    stateLine.textContent = live.state === 'PAUSED' ? 'Paused: the meter is stopped' : live.state === 'ACTIVE' ? 'Playing' : 'Ready';
    if (live.state === 'ACTIVE' && live.remainingSeconds <= WARN_SECONDS && !ended) {
      show(warning, `Your balance runs out in ${mmss(live.remainingSeconds)}: the stream stops then.`);
    }
  }

  function onLive(data) {
    if (!session || data.sessionId !== session.sessionId || ended) return;
    live = data;
    draw();
  }

  // between the once-a-second events the display keeps counting down, and stays still while paused
  function tick() {
    if (!live || ended || live.state !== 'ACTIVE') return;
    if (live.remainingSeconds > 0) live = { ...live, remainingSeconds: live.remainingSeconds - 1 };
    time.textContent = mmss(live.remainingSeconds);
  }

  function finish(reason, record) {
    if (ended) return;
    ended = true;
    clearInterval(ticker);
    clearInterval(heartbeat);
    clearTimeout(stallTimer);
    if (events) events.close();
    if (media) { media.pause(); media.removeAttribute('src'); media.load(); }
    startBtn.disabled = true;
    stopBtn.disabled = true;
    show(warning, '');
    const spent = record ? ` You used ${mmss(record.usedSeconds)} for ${pts(record.points)}.` : '';
    if (reason === 'BALANCE_EXHAUSTED') {
      stateLine.textContent = 'Stopped: balance used up';
      points.textContent = pts(0);
      time.textContent = mmss(0);
      show(message, `Your balance ran out, so the stream was stopped.${spent} Earn more mileage in the shop to continue.`, true);
    } else {
      stateLine.textContent = 'Ended';
      show(message, reason === 'PAUSED_TOO_LONG' ? `The stream was paused too long and has ended.${spent}` : `The stream has ended.${spent}`);
    }
    refreshHeader();
  }

  function listen() {
    events = new EventSource('/api/v1/metering/my/live');
    events.addEventListener('balance', e => onLive(JSON.parse(e.data)));
    events.addEventListener('final-unit', e => {
      const d = JSON.parse(e.data);
      if (session && d.sessionId === session.sessionId) show(warning, `Last minutes of your balance: the stream stops in ${mmss(d.remainingSeconds)}.`);
    });
    events.addEventListener('ended', e => {
      const d = JSON.parse(e.data);
      if (session && d.sessionId === session.sessionId) finish(d.reason, d);
    });
  }

  function attachPlayer() {
    if (timed) {
      media = el(item.kind === 'VIDEO' ? 'video' : 'audio', { id: 'stream-media', controls: true, preload: 'auto',
        src: session.mediaUrl });
      media.addEventListener('playing', () => { clearTimeout(stallTimer); control('play'); });
      media.addEventListener('pause', () => { if (!ended && !media.ended) control('pause', { reason: 'PLAYER' }); });
      media.addEventListener('waiting', () => {
        clearTimeout(stallTimer);
        stallTimer = setTimeout(() => { if (!ended) control('pause', { reason: 'STALLED' }); }, STALL_MS);
      });
      media.addEventListener('ended', async () => {
        const r = await control('stop', { reason: 'END_OF_CONTENT' });
        finish('END_OF_CONTENT', r && r.record);
      });
      media.addEventListener('error', () => { if (!ended) show(message, 'The stream could not be played.', true); });
      stage.replaceChildren(media);
      media.play().catch(() => show(message, 'Press play to start.'));
    } else if (item.kind === 'SOFTWARE') {
      stage.replaceChildren(el('p', {}, el('a', { id: 'stream-download', class: 'button', href: session.mediaUrl, download: '' },
        'Download now')), el('p', { class: 'muted' }, 'Metered while the file transfers; the meter stops when it is complete.'));
    } else {
      const q = el('input', { id: 'stream-query', type: 'search', maxlength: 100, placeholder: 'e.g. green tea seoul' });
      const results = el('div', { id: 'stream-results', 'aria-live': 'polite' });
      const form = el('form', { id: 'stream-search', role: 'search' }, el('label', { for: 'stream-query' }, 'Search '), q,
        el('button', { type: 'submit' }, 'Search'));
      form.addEventListener('submit', async e => {
        e.preventDefault();
        try {
          const r = await get(`/api/v1/streams/sessions/${session.sessionId}/query?q=${encodeURIComponent(q.value)}`);
          results.replaceChildren(el('p', { class: 'muted' }, `${r.matches} rows match${r.truncated ? ' (first 50 shown)' : ''}.`),
            el('table', {}, el('thead', {}, el('tr', {}, r.columns.map(c => el('th', { scope: 'col' }, c)))),
              el('tbody', {}, r.rows.map(row => el('tr', {}, row.map(v => el('td', {}, v)))))));
        } catch (err) {
          results.replaceChildren(el('p', { class: 'error' }, err.message));
        }
      });
      stage.replaceChildren(form, results);
      control('play');
    }
  }

  startBtn.addEventListener('click', async () => {
    startBtn.disabled = true;
    show(message, '');
    try {
      session = await post('/api/v1/streams/sessions', { itemId: item.id });
    } catch (e) {
      startBtn.disabled = false;
      show(message, e.status === 402 ? 'Your balance does not pay for the first second of this item.' : e.message, true);
      return;
    }
    live = { remainingPoints: session.balanceBefore, remainingSeconds: session.maxSeconds, state: 'AUTHORIZED' };
    draw();
    stopBtn.disabled = false;
    listen();
    ticker = setInterval(tick, 1000);
    heartbeat = setInterval(() => { if (!ended) control('heartbeat'); }, HEARTBEAT_MS);
    attachPlayer();
    // leaving the view (another page of the site) or the page (reload, another site, closing the tab) stops
    // the stream: nothing is metered for a player nobody sees (keepalive: the request outlives the page)
    const leave = () => {
      if (!ended) fetch(`/api/v1/streams/sessions/${session.sessionId}/stop`, { method: 'POST', keepalive: true,
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf() }, body: '{}' });
      finish(null);
    };
    window.addEventListener('hashchange', leave, { once: true });
    window.addEventListener('pagehide', leave, { once: true });
  });

  stopBtn.addEventListener('click', async () => {
    stopBtn.disabled = true;
    const r = await control('stop', { reason: 'STOPPED' });
    finish('CALLER_HANGUP', r && r.record);
  });
  notify('');
}
