// The streams page (issue 7): a catalog of video, music, spoken programmes, software and databases with
// filters by kind and the price per minute; #/streams/<id> is the player (streams/player.js); below the
// catalog, the member's history of streams with time and points.
import { el, page, pts } from '../dom.js';
import { get } from '../api.js';
import { mmss } from '../phone/call-words.js';
import { renderPlayer } from './streams/player.js';

export const KINDS = [['', 'All'], ['VIDEO', 'Video'], ['MUSIC', 'Music'], ['VOICE', 'Spoken'], ['SOFTWARE', 'Software'],
  ['DATABASE', 'Databases']];
export const KIND_WORDS = { VIDEO: 'video', MUSIC: 'music', VOICE: 'spoken programme', SOFTWARE: 'software download',
  DATABASE: 'database service' };
const REASONS = { CALLER_HANGUP: 'stopped', CALLEE_HANGUP: 'finished', BALANCE_EXHAUSTED: 'balance ran out',
  PAUSED_TOO_LONG: 'paused too long', RENEWAL_FAILED: 'interrupted', OPERATOR: 'stopped by the operator',
  NOT_ANSWERED: 'never started', RECOVERED_AFTER_CRASH: 'interrupted', ERROR: 'interrupted', CANCELLED: 'cancelled' };

export function ensureCss() {
  if (document.querySelector('link[href="css/streams.css"]')) return;
  document.head.append(el('link', { rel: 'stylesheet', href: 'css/streams.css' }));
}

export function sizeWords(item) {
  if (item.durationSeconds) return mmss(item.durationSeconds);
  if (item.kind === 'DATABASE') return 'search while open';
  const mib = item.sizeBytes / (1024 * 1024);
  return mib >= 1 ? `${mib.toFixed(1)} MiB` : `${Math.ceil(item.sizeBytes / 1024)} KiB`;
}

export async function render(main, { arg, query, state, notify, go }) {
  ensureCss();
  if (!state.signedIn) {
    page(main, 'Streams', el('p', {}, 'Watch videos, listen to music and spoken programmes, download software and search '
      + 'databases, paid by the second with your mileage. ', el('a', { href: '#/signin' }, 'Sign in')));
    return;
  }
  if (arg) {
    await renderPlayer(main, { itemId: Number(arg), state, notify, go });
    return;
  }
  const kind = query.get('kind') || '';
  const filters = el('div', { class: 'filters', id: 'streams-filter', role: 'group', 'aria-label': 'Kind of content' },
    KINDS.map(([k, label]) => el('button', { type: 'button', 'data-kind': k, 'aria-pressed': String(k === kind),
      onclick: () => { location.hash = k ? `#/streams?kind=${k}` : '#/streams'; } }, label)));
  const grid = el('div', { class: 'grid', id: 'streams-catalog', 'aria-live': 'polite' });
  const history = el('tbody', { id: 'streams-history' });
  page(main, 'Streams', el('div', { class: 'streams' },
    el('p', { class: 'muted' }, 'Paid by the second with your mileage while it plays; nothing is charged while paused.'),
    filters, grid,
    el('h2', {}, 'Your streams'),
    el('table', {}, el('thead', {}, el('tr', {}, ['Item', 'Kind', 'Started', 'Time', 'Points', 'How it ended']
      .map(h => el('th', { scope: 'col' }, h)))), history)));
  try {
    const { items } = await get(`/api/v1/streams/items${kind ? `?kind=${kind}` : ''}`);
    grid.replaceChildren(...(items.length ? items.map(card) : [el('p', {}, 'Nothing of this kind yet.')]));
  } catch (e) {
    grid.replaceChildren(el('p', { class: 'error' }, `The catalog could not be loaded: ${e.message}`));
  }
  try {
    const { streams } = await get('/api/v1/streams/my/history');
    history.replaceChildren(...(streams.length ? streams.map(row)
      : [el('tr', {}, el('td', { colspan: 6 }, 'No streams yet.'))]));
  } catch (e) {
    history.replaceChildren(el('tr', {}, el('td', { colspan: 6 }, `Your history could not be loaded: ${e.message}`)));
  }
}

function card(item) {
  return el('article', { class: 'card', 'data-item': item.id, 'data-kind': item.kind },
    el('span', { class: 'kind' }, KIND_WORDS[item.kind] || item.kind),
    el('h2', {}, el('a', { href: `#/streams/${item.id}` }, item.title)),
    el('p', {}, item.description),
    el('p', { class: 'muted' }, sizeWords(item)),
    el('p', { class: 'price' }, item.pointsPerMinute == null ? 'no price yet' : `${pts(item.pointsPerMinute)} a minute`));
}

function row(r) {
  return el('tr', { 'data-session': r.sessionId },
    el('td', {}, r.title), el('td', {}, KIND_WORDS[r.kind] || r.kind),
    el('td', {}, r.startedAt ? new Date(r.startedAt).toLocaleString() : '—'),
    el('td', {}, mmss(r.usedSeconds)), el('td', {}, pts(r.points)), el('td', {}, REASONS[r.reason] || r.reason));
}
