// Balances per point type and every movement with its reason, from the ledger.
import { get } from '../api.js';
import { el, page, pts, won } from '../dom.js';

export async function render(main, ctx) {
  if (!ctx.state.signedIn) { page(main, 'Wallet', el('p', {}, el('a', { href: '#/signin' }, 'Sign in'), ' to see your wallet.')); return; }
  const w = await get('/api/v1/shop/wallet');
  const balances = el('div', { class: 'balances' }, w.balances.length ? w.balances.map(b => el('section', { class: 'card', id: `balance-${b.code}` },
    el('h2', {}, b.code.replaceAll('_', ' ').toLowerCase()),
    el('div', { class: 'amount' }, pts(b.available)),
    el('div', { class: 'muted' }, `worth ${won(Math.floor(b.available * b.cashMicrosPerUnit / 1e6))}`),
    b.reserved ? el('div', { class: 'muted' }, `${pts(b.reserved)} reserved`) : null)) : el('p', {}, 'No points yet.'));
  const table = el('table', { id: 'movements' },
    el('caption', { class: 'visually-hidden' }, 'Movements, newest first'),
    el('thead', {}, el('tr', {}, el('th', {}, 'When'), el('th', {}, 'Points'), el('th', {}, 'Why'), el('th', {}, 'Reference'), el('th', { class: 'num' }, 'Amount'))),
    el('tbody', {}, w.movements.map(m => el('tr', {},
      el('td', {}, new Date(m.at).toLocaleString()), el('td', {}, m.code), el('td', {}, m.reason, m.state !== 'done' ? ` (${m.state})` : ''),
      el('td', {}, m.reference), el('td', { class: `num ${m.amount >= 0 ? 'plus' : 'minus'}` }, `${m.amount >= 0 ? '+' : ''}${m.amount.toLocaleString('en-US')}`)))));
  page(main, 'Wallet', balances, el('h2', {}, 'Movements'), w.movements.length ? table : el('p', {}, 'No movements yet.'));
}
