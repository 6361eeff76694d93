// Trading (issue 8): the portfolio at current cash values, exchange rates, the order book of a pair with its
// depth and recent fills, placing and cancelling limit orders, sending points to a member by phone number,
// buying and cashing out points (rate and fee shown before confirming), and the history.
import { get, post } from '../api.js';
import { el, field, page, pts, won } from '../dom.js';
import { cashForm } from './trading/cash.js';

const label = code => code.replaceAll('_', ' ').toLowerCase();
function busy(form, on) { form.querySelectorAll('button').forEach(b => { b.disabled = on; }); }
const table = (id, heads, rows) => el('table', { id }, el('thead', {}, el('tr', {}, heads.map(([h, num]) => el('th', num ? { class: 'num' } : {}, h)))),
  el('tbody', {}, rows));
const td = (text, num) => el('td', num ? { class: 'num' } : {}, text);

export async function render(main, ctx) {
  if (!ctx.state.signedIn) { page(main, 'Trading', el('p', {}, el('a', { href: '#/signin' }, 'Sign in'), ' to trade your points.')); return; }
  const [portfolio, types, rates, mine, history] = await Promise.all([get('/api/v1/trading/portfolio'), get('/api/v1/trading/point-types'),
    get('/api/v1/trading/rates'), get('/api/v1/trading/orders'), get('/api/v1/trading/history')]);
  const typeList = types.length ? types : portfolio.holdings.map(h => ({ id: h.pointType, code: h.code }));
  const codeOf = id => (typeList.find(t => t.id === id) || { code: `#${id}` }).code;
  const options = selected => typeList.map(t => el('option', { value: t.id, selected: t.id === selected }, label(t.code)));
  const held = portfolio.holdings;
  const base = held.length ? held[0].pointType : (typeList[0] || {}).id;
  const quote = (typeList.find(t => t.id !== base) || {}).id;
  const again = () => render(main, ctx);

  const holdings = el('table', { id: 'portfolio' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Points'), el('th', { class: 'num' }, 'Balance'), el('th', { class: 'num' }, 'Held for orders'),
      el('th', { class: 'num' }, 'Rate'), el('th', { class: 'num' }, 'Cash value'))),
    el('tbody', {}, held.map(h => el('tr', {}, td(label(h.code)), td(pts(h.balance), true), td(pts(h.heldForOrders), true),
      td(won(h.cashMicrosPerUnit / 1e6), true), td(won(Math.floor(h.cashValueMicros / 1e6)), true)))),
    el('tfoot', {}, el('tr', {}, el('th', { colspan: 4 }, 'Total'), el('th', { class: 'num', id: 'portfolio-total' }, won(Math.floor(portfolio.totalCashValueMicros / 1e6))))));

  const rateTable = el('div', { id: 'rates' },
    table('cash-rates', [['Points'], ['Cash value of one', true]], rates.cash.map(c => el('tr', {}, td(label(c.code)), td(won(c.cashMicrosPerUnit / 1e6), true)))),
    rates.pairs.length ? table('pair-rates', [['From'], ['To'], ['Rate', true], ['Source']], rates.pairs.map(p => el('tr', {},
      td(label(codeOf(p.fromType))), td(label(codeOf(p.toType))), td((p.microsPerUnit / 1e6).toLocaleString('en-US'), true), td(p.source)))) : null);

  const bookBox = el('div', { id: 'book', 'aria-live': 'polite' });
  async function showBook(b, q) {
    const book = await get(`/api/v1/trading/book?base=${b}&quote=${q}`);
    const side = (rows, title, id) => el('table', { id }, el('caption', {}, title),
      el('thead', {}, el('tr', {}, el('th', { class: 'num' }, 'Offered'), el('th', { class: 'num' }, 'Wants'), el('th', { class: 'num' }, 'Price'),
        el('th', { class: 'num' }, 'Left'))),
      el('tbody', {}, rows.map(o => el('tr', {}, td(`${o.sellAmount} ${label(codeOf(o.sellType))}`, true),
        td(`${o.buyAmount} ${label(codeOf(o.buyType))}`, true), td((o.buyAmount / o.sellAmount).toFixed(4), true), td(o.remaining, true)))));
    bookBox.replaceChildren(
      side(book.sellingBase, `Selling ${label(codeOf(b))} (${book.sellingBase.length})`, 'book-base'),
      side(book.sellingQuote, `Selling ${label(codeOf(q))} (${book.sellingQuote.length})`, 'book-quote'),
      el('h3', {}, 'Recent fills'),
      book.recentFills.length ? el('ul', { id: 'fills' }, book.recentFills.map(f => el('li', {},
        `${new Date(f.at).toLocaleTimeString()}: ${f.makerGives} ${label(codeOf(f.makerSellType))} for ${f.takerGives} ${label(codeOf(f.takerSellType))}`)))
        : el('p', { class: 'muted', id: 'no-fills' }, 'No fills yet.'));
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
      await again();
      ctx.notify(r.result === 'FILLED' ? 'Order filled.' : `Order placed${r.fills.length ? `, ${r.fills.length} fill(s) so far` : ''}.`);
    } catch (err) { ctx.notify(err.message, true); busy(orderForm, false); }
  });

  const orders = table('my-orders', [['Placed'], ['Offer'], ['For'], ['Left', true], ['Received', true], ['Status'], ['']],
    mine.map(o => el('tr', { dataset: { order: o.id } }, td(new Date(o.placedAt).toLocaleString()),
      td(`${o.sellAmount} ${label(codeOf(o.sellType))}`), td(`${o.buyAmount} ${label(codeOf(o.buyType))}`),
      td(o.remaining, true), td(o.received, true), el('td', { class: 'status' }, o.status.toLowerCase().replaceAll('_', ' ')),
      el('td', {}, o.status === 'OPEN' ? el('button', { type: 'button', class: 'secondary', onclick: async () => {
        try { await post(`/api/v1/trading/orders/${o.id}/cancel`); await again(); ctx.notify('Order cancelled; its points are released.'); }
        catch (err) { ctx.notify(err.message, true); }
      } }, 'Cancel') : null))));

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
      await again();
      ctx.notify('Points sent.');
    } catch (err) { ctx.notify(err.message, true); busy(giftForm, false); }
  });

  const historyBox = el('div', { id: 'history' },
    history.cash.length ? table('cash-history', [['When'], ['What'], ['Points', true], ['Won', true], ['Fee', true], ['State']],
      history.cash.map(c => el('tr', {}, td(new Date(c.at).toLocaleString()), td(c.kind === 'BUY' ? 'bought' : 'cashed out'),
        td(`${c.points} ${label(codeOf(c.pointType))}`, true), td(won(c.netWon), true), td(won(c.feeWon), true),
        td(c.state.toLowerCase() + (c.reason ? `: ${c.reason}` : ''))))) : null,
    history.movements.length ? table('movements', [['When'], ['Points'], ['Amount', true], ['Why'], ['State']],
      history.movements.map(m => el('tr', {}, td(new Date(m.at).toLocaleString()), td(label(m.code)),
        td(m.amount > 0 ? `+${m.amount}` : m.amount, true), td(m.reason), td(m.state)))) : el('p', {}, 'No movements yet.'));

  page(main, 'Trading',
    el('h2', {}, 'Portfolio'), held.length ? holdings : el('p', {}, 'No points yet.'),
    el('h2', {}, 'Exchange rates'), rateTable,
    el('h2', {}, 'Order book'), bookBox,
    el('h2', {}, 'Place an order'), orderForm,
    el('h2', {}, 'My orders'), mine.length ? orders : el('p', {}, 'No orders yet.'),
    el('h2', {}, 'Send points to a member'), giftForm,
    el('h2', {}, 'Buy points'), cashForm('BUY', () => options(base), ctx, again),
    el('h2', {}, 'Cash out'), cashForm('CASH_OUT', () => options(base), ctx, again),
    el('h2', {}, 'History'), historyBox);
  if (base && quote) await showBook(base, quote).catch(err => ctx.notify(err.message, true));
}
