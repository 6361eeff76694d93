// A vendor's notifications (#/mall/notifications[?before=<id>&unread=true]): what the mall told the signed-in
// vendor, newest first, a page at a time, each marked read on its own or the whole page at once. The vendor key
// is the back office's (kept in memory only); signing in here works the same way.
import { el, field, page, won } from '../../dom.js';
import { tabs } from '../mall.js';
import { setVendorKey, vendorCall, vendorSignedIn } from './vendor.js';

const PAGE_ROWS = 10;
const KINDS = {
  ISSUANCE: 'Tokens issued', REGISTRATION: 'New customer', PRODUCTS_CHANGED: 'Product list changed',
  REIMBURSEMENTS_PAID: 'Reimbursements paid', SETTLEMENT_SHORT: 'Reimbursements not covered',
};
const when = at => `${new Date(at).toLocaleString('en-GB', { timeZone: 'UTC' })} UTC`;

function signIn(main, ctx) {
  const f = el('form', { class: 'stack', id: 'notifications-key-form' },
    field('notesVendorKey', 'Vendor key', { type: 'password', required: true, autocomplete: 'off' }, 'shown once when you applied'),
    el('button', { type: 'submit' }, 'Sign in as vendor'));
  f.addEventListener('submit', async e => {
    e.preventDefault();
    setVendorKey(f.querySelector('#notesVendorKey').value);
    try { await render(main, ctx); } catch (err) { setVendorKey(null); ctx.notify(`Could not sign in: ${err.message}`, true); }
  });
  page(main, 'Vendor notifications', tabs('backoffice'), el('p', {}, 'Sign in with your vendor key to read what the mall told you.'), f);
}

function hash(before, unreadOnly) {
  const q = new URLSearchParams();
  if (before) q.set('before', before);
  if (unreadOnly) q.set('unread', 'true');
  const s = q.toString();
  return `#/mall/notifications${s ? `?${s}` : ''}`;
}

export async function render(main, ctx) {
  if (!vendorSignedIn()) return signIn(main, ctx);
  const before = ctx.query.get('before');
  const unreadOnly = ctx.query.get('unread') === 'true';
  const q = new URLSearchParams({ limit: String(PAGE_ROWS) });
  if (before) q.set('before', before);
  if (unreadOnly) q.set('unread', 'true');
  const [me, data] = await Promise.all([vendorCall('GET', '/api/v1/mall/vendor/me'), vendorCall('GET', `/api/v1/mall/vendor/notifications?${q}`)]);
  const again = () => render(main, ctx);
  const mark = async (ids, what) => {
    try {
      const r = await vendorCall('POST', '/api/v1/mall/vendor/notifications/read', { ids });
      await again();
      ctx.notify(`${what}: ${r.marked} marked read, ${r.unread} unread left.`);
    } catch (err) { ctx.notify(`Could not mark read: ${err.message}`, true); }
  };
  const rows = data.notifications.map(n => el('li', { class: `card note ${n.read ? 'read' : 'unread'}`, dataset: { id: n.id, kind: n.kind } },
    el('h2', {}, KINDS[n.kind] || n.kind, n.read ? null : el('span', { class: 'badge' }, ' (unread)')),
    el('p', { class: 'detail' }, n.detail),
    n.amountWon ? el('p', { class: 'amount' }, `Amount: ${won(n.amountWon)}`) : null,
    el('p', { class: 'muted' }, el('time', { datetime: n.at }, when(n.at))),
    n.read ? null : el('button', { type: 'button', class: 'secondary mark-read', 'aria-label': `Mark read: ${KINDS[n.kind] || n.kind}, ${when(n.at)}`,
      onclick: () => mark([n.id], 'Notification') }, 'Mark read')));
  const unreadHere = data.notifications.filter(n => !n.read).map(n => n.id);
  page(main, `${me.name}: notifications`, tabs('backoffice'),
    el('p', { id: 'unread-count' }, `${data.unread} unread`),
    el('p', {}, el('a', { href: unreadOnly ? hash(null, false) : hash(null, true), id: 'unread-filter' }, unreadOnly ? 'Show all' : 'Show unread only'),
      ' · ', el('a', { href: '#/mall/backoffice' }, 'Back office')),
    unreadHere.length ? el('button', { type: 'button', id: 'mark-page-read', onclick: () => mark(unreadHere, 'This page') }, 'Mark this page read') : null,
    rows.length ? el('ol', { id: 'notifications', class: 'stack' }, rows)
      : el('p', { id: 'notifications-empty' }, unreadOnly ? 'No unread notifications.' : 'No notifications yet.'),
    el('nav', { 'aria-label': 'Pages', class: 'pager' },
      before ? el('a', { href: hash(null, unreadOnly), id: 'first-page' }, '← Newest') : null, ' ',
      data.next ? el('a', { href: hash(data.next, unreadOnly), id: 'older-page' }, 'Older →') : null));
}
