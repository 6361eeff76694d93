// The member's orders, newest first; one order in detail with a refund button.
import { get, post } from '../api.js';
import { el, page, won, pts } from '../dom.js';
import { refreshHeader } from '../session.js';

function orderDetail(o, onRefund) {
  return el('article', { class: 'card', id: `order-${o.id}` },
    el('h2', {}, `Order ${o.id} `, el('span', { class: `status ${o.status}` }, o.status)),
    el('div', { class: 'muted' }, new Date(o.createdAt).toLocaleString()),
    el('ul', {}, o.items.map(i => el('li', {}, `${i.quantity} × ${i.name}${i.variant ? ` (${i.variant})` : ''} — ${won(i.lineWon)}`))),
    el('div', {}, `Total ${won(o.totalWon)}`, o.pointsAmount ? ` · ${pts(o.pointsAmount)} used (${won(o.pointsValueWon)})` : '', ` · card ${won(o.cashWon)}`),
    el('div', { class: 'earn' }, `Mileage earned: ${pts(o.mileageEarned)}`),
    o.status === 'REFUNDED' ? el('div', {}, `Refunded. Mileage taken back: ${pts(o.mileageReversed)}`,
      o.refundDeductionWon ? `; spent mileage deducted from the card refund: ${won(o.refundDeductionWon)}` : '') : null,
    o.declineReason && o.status !== 'PAID' ? el('div', { class: 'minus' }, o.declineReason) : null,
    o.status === 'PAID' && onRefund ? el('button', { type: 'button', class: 'secondary', onclick: onRefund }, 'Cancel and refund') : null);
}

export async function render(main, ctx) {
  if (!ctx.state.signedIn) { page(main, 'Orders', el('p', {}, el('a', { href: '#/signin' }, 'Sign in'), ' to see your orders.')); return; }
  if (ctx.arg) {
    const o = await get(`/api/v1/shop/orders/${encodeURIComponent(ctx.arg)}`);
    page(main, `Order ${o.id}`, orderDetail(o, async () => {
      if (!confirm('Cancel this order and refund it? Mileage it earned is taken back; mileage already spent is deducted from the card refund.')) return;
      try {
        await post(`/api/v1/shop/orders/${o.id}/refund`, {});
        await refreshHeader();
        ctx.notify(`Order ${o.id} refunded.`);
        render(main, ctx);
      } catch (err) { ctx.notify(err.message, true); }
    }), el('p', {}, el('a', { href: '#/orders' }, 'All orders')));
    return;
  }
  const orders = await get('/api/v1/shop/orders');
  page(main, 'Orders', orders.length ? el('table', {},
    el('thead', {}, el('tr', {}, el('th', {}, 'Order'), el('th', {}, 'Date'), el('th', {}, 'Items'), el('th', { class: 'num' }, 'Total'),
      el('th', { class: 'num' }, 'Mileage'), el('th', {}, 'Status'))),
    el('tbody', {}, orders.map(o => el('tr', {},
      el('td', {}, el('a', { href: `#/orders/${o.id}` }, `#${o.id}`)), el('td', {}, new Date(o.createdAt).toLocaleDateString()),
      el('td', {}, o.items.map(i => `${i.quantity} × ${i.name}`).join(', ')), el('td', { class: 'num' }, won(o.totalWon)),
      el('td', { class: 'num' }, pts(o.mileageEarned)), el('td', {}, el('span', { class: `status ${o.status}` }, o.status))))))
    : el('p', {}, 'No orders yet.'));
}
