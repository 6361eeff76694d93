// A bank-transfer order as its buyer sees it: where to send how much by when, and its state
// (pending, paid and issued, or expired), and any deposit that bought nothing and is being sent back.
// The sandbox button plays the buyer's bank paying in.
import { get, post } from '../../api.js';
import { el, won } from '../../dom.js';

export const STATUS_WORDS = { AWAITING_DEPOSIT: 'pending: awaiting your transfer', PAID: 'paid', ISSUED: 'paid: certificates issued',
  EXPIRED: 'expired: not paid in time, nothing issued', DECLINED: 'declined', PENDING: 'pending' };
const when = t => new Date(t).toLocaleString();
const RETURN_WHY = { LATE: 'it arrived after the deadline', WRONG_AMOUNT: 'it was not the order\'s amount',
  ALREADY_PAID: 'the order was already paid', NOT_PAYABLE: 'the order could not take it' };

// Money that reached the order's account but bought nothing: what happens to it.
export function depositReturns(list, id) {
  if (!list || !list.length) return null;
  return el('div', { id: id || null, class: 'deposit-returns' }, el('h3', {}, 'Deposits sent back'),
    el('ul', {}, list.map(r => el('li', { class: `return ${r.status}` },
      `${won(r.amountWon)} received ${when(r.receivedAt)}, not used because ${RETURN_WHY[r.reason] || r.reason.toLowerCase()}: `,
      el('strong', {}, returnState(r))))));
}

// Where a return stands: with the bank provider (OWED, SENT), back in the payer's account, or held up.
function returnState(r) {
  const account = r.payerAccount ? ` (${r.payerAccount})` : '';
  if (r.status === 'CONFIRMED') return `returned ${when(r.returnedAt)}, bank reference ${r.returnReference}`;
  if (r.status === 'SENT') return `sent back to the account it came from${account} ${when(r.sentAt)}; waiting for the bank's confirmation`;
  if (r.status === 'FAILED') return `${r.note}${account}`;
  return `being returned to the account it came from${account}`;
}

export function transferOrder(p, ctx) {
  const section = el('section', { class: 'issued', id: 'bank-order', 'aria-live': 'polite' });
  const draw = order => {
    const t = order.bankTransfer;
    const open = order.status === 'AWAITING_DEPOSIT';
    const refresh = el('button', { type: 'button', id: 'order-refresh' }, 'Check status');
    refresh.addEventListener('click', async () => {
      try { draw(await get(`/api/v1/certificates/purchases/${order.id}`)); } catch (err) { ctx.notify(err.message, true); }
    });
    const deposit = el('button', { type: 'button', id: 'sandbox-deposit' }, `Sandbox: my bank pays ${won(t.amountWon)}`);
    deposit.addEventListener('click', async () => {
      deposit.disabled = true;
      try {
        await post(`/api/v1/certificates/purchases/${order.id}/sandbox-deposit`, { amountWon: t.amountWon });
        ctx.notify('Your transfer arrived: the certificates are issued. We sent you a message with their barcodes.');
      } catch (err) { ctx.notify(err.message, true); }
      try { draw(await get(`/api/v1/certificates/purchases/${order.id}`)); } catch (err) { ctx.notify(err.message, true); }
    });
    section.replaceChildren(...[
      el('h2', {}, `Order ${order.id}: ${order.sheets} × ${order.issuer} ${won(order.faceValueWon)}`),
      el('dl', { class: 'bank-transfer' },
        el('dt', {}, 'Status'), el('dd', {}, el('span', { id: 'order-status', class: `status ${order.status}` }, STATUS_WORDS[order.status] || order.status)),
        el('dt', {}, 'Bank'), el('dd', {}, t.bank),
        el('dt', {}, 'Account'), el('dd', { id: 'order-account', class: 'code' }, t.virtualAccount),
        el('dt', {}, 'Amount'), el('dd', { id: 'order-amount' }, won(t.amountWon), el('span', { class: 'hint' }, ' — exactly this amount')),
        el('dt', {}, 'Pay by'), el('dd', { id: 'order-pay-by' }, when(t.payBy))),
      open ? el('p', {}, 'The certificates are issued when the money arrives. Then set each one\'s PIN in ',
        el('a', { href: '#/gifts/mine' }, 'My certificates'), '.') : null,
      order.status === 'ISSUED' ? el('p', {}, el('a', { href: '#/gifts/mine' }, 'Show my certificates'), ' (set a PIN for each there)') : null,
      order.reason ? el('p', { class: 'muted' }, order.reason) : null,
      depositReturns(order.depositReturns, 'deposit-returns'),
      el('p', {}, refresh, ' ', open ? deposit : null)].filter(Boolean));
  };
  draw(p);
  return section;
}
