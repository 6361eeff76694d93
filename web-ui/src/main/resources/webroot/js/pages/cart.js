// Cart and checkout: quantities, points of any accepted type toward the price, the card, the result.
import { get, post } from '../api.js';
import { el, page, won, pts } from '../dom.js';
import { lines, setQuantity, clear } from '../cart.js';
import { refreshHeader } from '../session.js';

const TYPE_NAMES = { 1: 'Mileage', 2: 'Cyber money', 3: 'Purchase points', 4: 'Ad-click points', 5: 'Thank-you coupons' };

function checkoutKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}

export async function render(main, ctx) {
  const items = lines();
  if (!items.length) {
    page(main, 'Your cart', el('p', {}, 'Your cart is empty. ', el('a', { href: '#/shop' }, 'Browse the shop.')));
    return;
  }
  const total = items.reduce((s, l) => s + l.priceWon * l.quantity, 0);
  const rows = items.map((l, i) => el('tr', {},
    el('td', {}, l.name, l.variant ? el('div', { class: 'muted' }, l.variant) : null),
    el('td', { class: 'num' }, won(l.priceWon)),
    el('td', { class: 'num' }, el('label', { class: 'visually-hidden', for: `qty-${i}` }, `Quantity of ${l.name}`),
      el('input', { id: `qty-${i}`, type: 'number', min: 0, max: 99, value: l.quantity, style: 'width:5rem',
        onchange: e => { setQuantity(i, Number(e.target.value)); render(main, ctx); } })),
    el('td', { class: 'num' }, won(l.priceWon * l.quantity))));
  const table = el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Product'), el('th', { class: 'num' }, 'Price'),
    el('th', { class: 'num' }, 'Quantity'), el('th', { class: 'num' }, 'Line'))),
  el('tbody', {}, rows), el('tfoot', {}, el('tr', {}, el('th', { colspan: 3 }, 'Total'), el('th', { class: 'num', id: 'cart-total' }, won(total)))));

  if (!ctx.state.signedIn) {
    page(main, 'Your cart', table, el('p', {}, el('a', { href: '#/signin' }, 'Sign in'), ' or ', el('a', { href: '#/signup' }, 'join'), ' to check out.'));
    return;
  }
  const accepted = await get('/catalog/accepted-points');
  const balances = ctx.state.balances;
  const typeSelect = el('select', { id: 'points-type' }, accepted.map(t => {
    const b = balances.find(x => x.pointType === t);
    return el('option', { value: t }, `${TYPE_NAMES[t] || t} (${pts(b ? b.available : 0)} available)`);
  }));
  const form = el('form', { class: 'stack', id: 'checkout-form' },
    el('h2', {}, 'Checkout'),
    el('div', {}, el('label', { for: 'points-type' }, 'Pay part with points', el('span', { class: 'hint' }, ' — 1 point is worth ₩1')), typeSelect),
    el('div', {}, el('label', { for: 'points-amount' }, 'Points to use'), el('input', { id: 'points-amount', type: 'number', min: 0, max: total, value: 0 })),
    el('div', {}, el('label', { for: 'card' }, 'Card', el('span', { class: 'hint' }, ' — sandbox test cards')),
      el('select', { id: 'card' }, el('option', { value: 'sandbox-ok' }, 'Test card that pays'),
        el('option', { value: 'sandbox-decline' }, 'Test card that is declined'), el('option', { value: 'sandbox-fail' }, 'Test card whose bank is down'))),
    el('button', { type: 'submit', id: 'pay' }, `Pay ${won(total)}`));
  const key = checkoutKey(); // one key per visit of this page: a double click or a retry never pays twice
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const button = form.querySelector('#pay');
    button.disabled = true;
    const amount = Number(form.querySelector('#points-amount').value || 0);
    const body = { checkoutKey: key, paymentToken: form.querySelector('#card').value,
      items: lines().map(l => ({ productId: l.productId, quantity: l.quantity, variant: l.variant })) };
    if (amount > 0) body.points = { pointType: Number(typeSelect.value), amount };
    try {
      const r = await post('/api/v1/shop/orders', body);
      clear();
      await refreshHeader();
      ctx.go(`#/orders/${r.order.id}`, `Thank you! Order ${r.order.id} is paid. You earned ${pts(r.order.mileageEarned)} mileage.`);
    } catch (err) {
      ctx.notify(err.message || 'Payment failed', true);
      button.disabled = false;
    }
  });
  page(main, 'Your cart', table, form);
}
