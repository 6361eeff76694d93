// The basket with purchase history, usage history and gifting history.
import { call, get } from '../../api.js';
import { el, page, won } from '../../dom.js';
import { needMember, tabs } from '../gifts.js';
import { STATUS_WORDS, depositReturns } from './order.js';

const when = t => (t ? new Date(t).toLocaleString() : '');
const status = s => el('span', { class: `status ${s}` }, STATUS_WORDS[s] || s.toLowerCase().replace('_', ' '));
const PAID_BY = { CARD: 'card', PHONE_BILL: 'phone bill', BANK_TRANSFER: 'bank transfer' };
const transfer = p => (p.bankTransfer && p.status === 'AWAITING_DEPOSIT'
  ? el('div', { class: 'muted' }, `${won(p.bankTransfer.amountWon)} to ${p.bankTransfer.bank} ${p.bankTransfer.virtualAccount} by ${when(p.bankTransfer.payBy)}`)
  : null);

function table(id, caption, head, rows) {
  return el('table', { id }, el('caption', { class: 'visually-hidden' }, caption),
    el('thead', {}, el('tr', {}, head.map(h => el('th', { class: h.endsWith('₩') ? 'num' : null }, h)))),
    el('tbody', {}, rows));
}

// An open gift's offer again, on a new link (say the first message never arrived); the gateway bounds how often.
function resendButton(g, ctx) {
  if (g.status !== 'SENT') return null;
  const b = el('button', { type: 'button', class: 'secondary', id: `resend-${g.id}` }, 'Send again');
  b.addEventListener('click', async () => {
    b.disabled = true;
    try {
      const r = await call('POST', `/api/v1/certificates/gifts/${g.id}/resend`);
      ctx.notify(r.smsSent ? 'Sent again with a new link; the earlier link no longer works.'
        : 'The message service could not be reached; try again later.', !r.smsSent);
    } catch (err) { ctx.notify(err.message, true); }
    b.disabled = false;
  });
  return el('div', {}, b);
}

export async function render(main, ctx) {
  if (!ctx.state.signedIn) return needMember(main, 'Certificate history', ctx, 'to see your history');
  const [purchases, usage, gifts] = await Promise.all([get('/api/v1/certificates/purchases'),
    get('/api/v1/certificates/usage'), get('/api/v1/certificates/gifts')]);
  page(main, 'Certificate history', tabs('history'),
    el('h2', {}, 'Purchases'),
    purchases.length ? table('purchases', 'Purchases, newest first', ['When', 'Certificate', 'Sheets', 'Paid by', 'Status', 'Total ₩'],
      purchases.map(p => el('tr', {}, el('td', {}, when(p.createdAt)), el('td', {}, `${p.issuer} ${won(p.faceValueWon)}`),
        el('td', { class: 'num' }, p.sheets), el('td', {}, PAID_BY[p.settlement] || p.settlement),
        el('td', {}, status(p.status), transfer(p), p.reason ? el('div', { class: 'muted' }, p.reason) : null, depositReturns(p.depositReturns)),
        el('td', { class: 'num' }, won(p.totalWon)))))
      : el('p', {}, 'No purchases yet.'),
    el('h2', {}, 'Used'),
    usage.length ? table('usage', 'Redemptions, newest first', ['When', 'Certificate', 'Where', 'Amount ₩'],
      usage.map(u => el('tr', {}, el('td', {}, when(u.at)), el('td', {}, `#${u.certificateId} ${u.issuer}`),
        el('td', {}, u.store), el('td', { class: 'num minus' }, won(u.amountWon)))))
      : el('p', {}, 'Not used yet.'),
    el('h2', {}, 'Gifts you sent'),
    gifts.length ? table('gifts', 'Gifts, newest first', ['When', 'To', 'Certificates', 'Message', 'Status'],
      gifts.map(g => el('tr', {}, el('td', {}, when(g.createdAt)), el('td', {}, g.recipientPhone),
        el('td', {}, g.certificates.map(c => `${c.issuer} ${won(c.faceValueWon)}`).join(', ')),
        el('td', {}, g.message, g.extra ? el('div', { class: 'muted' }, `+ ${g.extra}`) : null),
        el('td', {}, status(g.status), g.decidedAt ? el('div', { class: 'muted' }, when(g.decidedAt)) : null,
          g.status === 'SENT' && !g.smsSent ? el('div', { class: 'muted' }, 'the message has not reached the recipient') : null,
          resendButton(g, ctx)))))
      : el('p', {}, 'No gifts sent yet.'));
}
