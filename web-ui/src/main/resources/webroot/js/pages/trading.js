// Trading (issue 8): portfolio at current cash values, the order book of a pair with recent fills,
// placing and cancelling limit orders, and gifts of points to another member by phone number.
import { get, post } from '../api.js';
import { el, field, page, pts, won } from '../dom.js';

const label = code => code.replaceAll('_', ' ').toLowerCase();
function busy(form, on) { form.querySelectorAll('button').forEach(b => { b.disabled = on; }); }

export async function render(main, ctx) {
  if (!ctx.state.signedIn) { page(main, 'Trading', el('p', {}, el('a', { href: '#/signin' }, 'Sign in'), ' to trade your points.')); return; }
  const [portfolio, types] = await Promise.all([get('/api/v1/trading/portfolio'), get('/api/v1/trading/point-types')]);
  const typeList = types.length ? types : portfolio.holdings.map(h => ({ id: h.pointType, code: h.code }));
  const codeOf = id => (typeList.find(t => t.id === id) || { code: `#${id}` }).code;
  const options = selected => typeList.map(t => el('option', { value: t.id, selected: t.id === selected }, label(t.code)));
  const held = portfolio.holdings;
  const base = held.length ? held[0].pointType : (typeList[0] || {}).id;
  const quote = (typeList.find(t => t.id !== base) || {}).id;

  const holdings = el('table', { id: 'portfolio' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Points'), el('th', { class: 'num' }, 'Balance'), el('th', { class: 'num' }, 'Held for orders'),
      el('th', { class: 'num' }, 'Rate'), el('th', { class: 'num' }, 'Cash value'))),
    el('tbody', {}, held.map(h => el('tr', {}, el('td', {}, label(h.code)), el('td', { class: 'num' }, pts(h.balance)),
      el('td', { class: 'num' }, pts(h.heldForOrders)), el('td', { class: 'num' }, won(h.cashMicrosPerUnit / 1e6)),
      el('td', { class: 'num' }, won(Math.floor(h.cashValueMicros / 1e6)))))),
    el('tfoot', {}, el('tr', {}, el('th', { colspan: 4 }, 'Total'), el('th', { class: 'num', id: 'portfolio-total' }, won(Math.floor(portfolio.totalCashValueMicros / 1e6))))));

  const bookBox = el('div', { id: 'book' });
  async function showBook(b, q) {
    const book = await get(`/api/v1/trading/book?base=${b}&quote=${q}`);
    const side = (rows, title) => el('table', {}, el('caption', {}, title),
      el('thead', {}, el('tr', {}, el('th', { class: 'num' }, 'Offered'), el('th', { class: 'num' }, 'Wants'), el('th', { class: 'num' }, 'Left'))),
      el('tbody', {}, rows.map(o => el('tr', {}, el('td', { class: 'num' }, `${o.sellAmount} ${label(codeOf(o.sellType))}`),
        el('td', { class: 'num' }, `${o.buyAmount} ${label(codeOf(o.buyType))}`), el('td', { class: 'num' }, o.remaining)))));
    bookBox.replaceChildren(
      side(book.sellingBase, `Selling ${label(codeOf(b))}`), side(book.sellingQuote, `Selling ${label(codeOf(q))}`),
      el('h3', {}, 'Recent fills'),
      book.recentFills.length ? el('ul', { id: 'fills' }, book.recentFills.map(f => el('li', {},
        `${new Date(f.at).toLocaleTimeString()}: ${f.makerGives} ${label(codeOf(f.makerSellType))} for ${f.takerGives} ${label(codeOf(f.takerSellType))}`)))
        : el('p', { class: 'muted' }, 'No fills yet.'));
  }

  const orderForm = el('form', { class: 'stack', id: 'order-form' },
    el('div', {}, el('label', { for: 'sellType' }, 'Offer points of'), el('select', { id: 'sellType' }, options(base))),
    field('sellAmount', 'Amount offered', { type: 'number', min: 1, required: true }),
    el('div', {}, el('label', { for: 'buyType' }, 'For points of'), el('select', { id: 'buyType' }, options(quote))),
    field('buyAmount', 'At least', { type: 'number', min: 1, required: true }, 'your limit: you never get less per point'),
    el('button', { type: 'submit' }, 'Place order'));
  const v = id => orderForm.querySelector(`#${id}`).value;
  orderForm.addEventListener('change', () => showBook(Number(v('sellType')), Number(v('buyType'))).catch(err => ctx.notify(err.message, true)));
  orderForm.addEventListener('submit', async e => {
    e.preventDefault();
    busy(orderForm, true);
    try {
      const r = await post('/api/v1/trading/orders', { sellType: Number(v('sellType')), sellAmount: Number(v('sellAmount')),
        buyType: Number(v('buyType')), buyAmount: Number(v('buyAmount')) });
      ctx.notify(r.result === 'FILLED' ? 'Order filled.' : `Order placed${r.fills.length ? `, ${r.fills.length} fill(s) so far` : ''}.`);
      await render(main, ctx);
    } catch (err) { ctx.notify(err.message, true); busy(orderForm, false); }
  });

  const mine = await get('/api/v1/trading/orders');
  const orders = el('table', { id: 'my-orders' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Placed'), el('th', {}, 'Offer'), el('th', {}, 'For'), el('th', { class: 'num' }, 'Left'),
      el('th', { class: 'num' }, 'Received'), el('th', {}, 'Status'), el('th', {}, ''))),
    el('tbody', {}, mine.map(o => el('tr', {}, el('td', {}, new Date(o.placedAt).toLocaleString()),
      el('td', {}, `${o.sellAmount} ${label(codeOf(o.sellType))}`), el('td', {}, `${o.buyAmount} ${label(codeOf(o.buyType))}`),
      el('td', { class: 'num' }, o.remaining), el('td', { class: 'num' }, o.received), el('td', {}, o.status.toLowerCase()),
      el('td', {}, o.status === 'OPEN' ? el('button', { type: 'button', class: 'secondary', onclick: async () => {
        try { await post(`/api/v1/trading/orders/${o.id}/cancel`); ctx.notify('Order cancelled; its points are released.'); await render(main, ctx); }
        catch (err) { ctx.notify(err.message, true); }
      } }, 'Cancel') : null)))));

  const giftForm = el('form', { class: 'stack', id: 'gift-form' },
    field('giftPhone', 'Member phone number', { type: 'tel', required: true, placeholder: '+821012345678' }),
    el('div', {}, el('label', { for: 'giftType' }, 'Points'), el('select', { id: 'giftType' }, options(base))),
    field('giftAmount', 'Amount', { type: 'number', min: 1, required: true }),
    el('button', { type: 'submit' }, 'Send'));
  giftForm.addEventListener('submit', async e => {
    e.preventDefault();
    busy(giftForm, true);
    const g = id => giftForm.querySelector(`#${id}`).value;
    try {
      await post('/api/v1/trading/transfers', { phone: g('giftPhone').trim(), pointType: Number(g('giftType')),
        amount: Number(g('giftAmount')), transferKey: crypto.randomUUID() });
      ctx.notify('Points sent.');
      await render(main, ctx);
    } catch (err) { ctx.notify(err.message, true); busy(giftForm, false); }
  });

  page(main, 'Trading',
    el('h2', {}, 'Portfolio'), held.length ? holdings : el('p', {}, 'No points yet.'),
    el('h2', {}, 'Order book'), bookBox,
    el('h2', {}, 'Place an order'), orderForm,
    el('h2', {}, 'My orders'), mine.length ? orders : el('p', {}, 'No orders yet.'),
    el('h2', {}, 'Send points to a member'), giftForm);
  if (base && quote) await showBook(base, quote).catch(err => ctx.notify(err.message, true));
}
