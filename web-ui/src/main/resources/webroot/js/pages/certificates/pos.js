// A store's point of sale, simulated: the store key, the scanned code, the PIN typed by the customer, the amount.
import { el, field, page, won } from '../../dom.js';
import { tabs } from '../gifts.js';

export function render(main, ctx) {
  const screen = el('div', { class: 'screen', id: 'pos-screen', role: 'status', 'aria-live': 'polite' }, 'Ready.');
  const form = el('form', { class: 'stack', id: 'pos-form' },
    field('storeKey', 'Store POS key', { type: 'password', required: true, autocomplete: 'off', value: sessionStorage.getItem('posKey') || '' }, 'from the operator'),
    field('code', 'Certificate code (scan or type)', { required: true, autocomplete: 'off', maxlength: 40 }),
    field('pin', 'PIN (typed by the customer)', { type: 'password', required: true, inputmode: 'numeric', maxlength: 6, autocomplete: 'off' }),
    field('amountWon', 'Amount to pay (₩)', { type: 'number', required: true, min: 1 }),
    el('button', { type: 'submit', id: 'pos-redeem' }, 'Redeem'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const v = id => form.querySelector(`#${id}`).value.trim();
    sessionStorage.setItem('posKey', v('storeKey'));
    const txn = `POS-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
    const res = await fetch('/api/v1/certificates/pos/redemptions', { method: 'POST', credentials: 'omit',
      headers: { 'Content-Type': 'application/json', 'X-Store-Key': v('storeKey') },
      body: JSON.stringify({ code: v('code'), pin: v('pin'), amountWon: Number(v('amountWon')), transactionId: txn }) });
    const body = await res.json().catch(() => ({}));
    screen.className = res.ok ? 'screen' : 'screen denied';
    screen.textContent = res.ok
      ? `APPROVED ${won(body.approvedWon)}\ntransaction ${txn}\nleft on certificate ${won(body.balanceWon)}`
      : `DENIED: ${body.reason || res.status}`;
    form.querySelector('#pin').value = '';
  });
  page(main, 'Store POS simulator', tabs('pos'), el('div', { class: 'pos' }, form, el('p', {}, 'Terminal'), screen));
}
