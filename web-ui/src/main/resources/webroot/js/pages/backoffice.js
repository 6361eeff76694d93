// Back office for operators, shop managers and cashiers (HTTP Basic against the operator accounts).
// The credentials stay in this page's memory only: a reload signs the operator out.
import { call, get, post, setOperator, operatorSignedIn } from '../api.js';
import { el, field, page, won, pts } from '../dom.js';
import { streamsAdmin } from './backoffice-streams.js';

const op = { asOperator: true };

function signIn(main, ctx) {
  const form = el('form', { class: 'stack', id: 'operator-form' },
    field('opUser', 'Operator user', { required: true, autocomplete: 'username' }),
    field('opPassword', 'Password', { type: 'password', required: true, autocomplete: 'current-password' }),
    el('button', { type: 'submit' }, 'Sign in to the back office'));
  const button = form.querySelector('button');
  form.addEventListener('submit', async e => {
    e.preventDefault();
    // one attempt at a time: a late refusal of an earlier attempt must not sign out a later one
    button.disabled = true;
    setOperator(form.querySelector('#opUser').value, form.querySelector('#opPassword').value);
    try {
      const me = await get('/api/v1/me', op);
      if (me.kind !== 'OPERATOR') throw new Error('This account is not staff.');
      render(main, ctx);
    } catch (err) { setOperator(null); ctx.notify(err.message, true); }
    finally { button.disabled = false; }
  });
  page(main, 'Back office', el('p', {}, 'For operators, shop managers, vendors and cashiers.'), form);
}

function productForm(ctx, onSaved) {
  const form = el('form', { class: 'stack wide', id: 'product-form' }, el('h2', {}, 'Add or update a product (by SKU)'),
    field('sku', 'SKU', { required: true, pattern: '[A-Z0-9][A-Z0-9-]{1,31}' }), field('pname', 'Name', { required: true }),
    field('kind', 'Kind', { required: true, pattern: '[a-z][a-z-]{1,30}' }), field('features', 'Features'),
    field('sizes', 'Sizes', {}, 'comma separated'), field('colours', 'Colours', {}, 'comma separated'),
    field('price', 'Price (won)', { type: 'number', min: 1, required: true }), field('supplier', 'Supplier', { required: true }),
    el('div', {}, el('label', { for: 'mmode' }, 'Mileage'), el('select', { id: 'mmode' }, el('option', { value: 'FIXED' }, 'Fixed points per item'), el('option', { value: 'PERCENT' }, 'Percent (basis points, 100 = 1%)'))),
    field('mvalue', 'Mileage value', { type: 'number', min: 0, value: 0, required: true }),
    field('stock', 'Stock', { type: 'number', min: 0, value: 0, required: true }),
    el('button', { type: 'submit' }, 'Save product'));
  const list = s => s.split(',').map(x => x.trim()).filter(Boolean);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const v = id => form.querySelector(`#${id}`).value;
    try {
      await post('/api/v1/shop/admin/products', { sku: v('sku'), name: v('pname'), kind: v('kind'), features: v('features'),
        sizes: list(v('sizes')), colours: list(v('colours')), priceWon: Number(v('price')), supplier: v('supplier'),
        mileage: { mode: v('mmode'), value: Number(v('mvalue')) }, stock: Number(v('stock')) }, op);
      ctx.notify('Product saved.');
      onSaved();
    } catch (err) { ctx.notify(err.message, true); }
  });
  return form;
}

export async function render(main, ctx) {
  if (!operatorSignedIn()) return signIn(main, ctx);
  let products = [];
  let orders = [];
  try { products = await get('/api/v1/shop/admin/products', op); } catch { products = null; }
  try { orders = await get('/api/v1/shop/admin/orders', op); } catch { orders = null; }
  const streams = await streamsAdmin(ctx, () => render(main, ctx));
  const restock = p => async () => {
    const n = prompt(`New stock for ${p.name}`, String(p.stock));
    if (n === null) return;
    try {
      await call('PUT', `/api/v1/shop/admin/products/${p.id}`, { ...p, stock: Number(n) }, op);
      render(main, ctx);
    } catch (err) { ctx.notify(err.message, true); }
  };
  const refund = o => async () => {
    if (!confirm(`Refund order ${o.id}?`)) return;
    try { await post(`/api/v1/shop/admin/orders/${o.id}/refund`, {}, op); ctx.notify(`Order ${o.id} refunded.`); render(main, ctx); }
    catch (err) { ctx.notify(err.message, true); }
  };
  page(main, 'Back office',
    el('button', { type: 'button', class: 'secondary', onclick: () => { setOperator(null); render(main, ctx); } }, 'Sign out of the back office'),
    el('h2', {}, 'Catalog'),
    products === null ? el('p', {}, 'Your role cannot manage the catalog.') : el('table', {},
      el('thead', {}, el('tr', {}, ['SKU', 'Name', 'Kind', 'Price', 'Mileage/item', 'Stock', ''].map(h => el('th', {}, h)))),
      el('tbody', {}, products.map(p => el('tr', {}, el('td', {}, p.sku), el('td', {}, p.name), el('td', {}, p.kind),
        el('td', { class: 'num' }, won(p.priceWon)), el('td', { class: 'num' }, pts(p.mileage.perUnit)), el('td', { class: 'num' }, String(p.stock)),
        el('td', {}, el('button', { type: 'button', class: 'secondary', onclick: restock(p) }, 'Set stock')))))),
    products === null ? null : productForm(ctx, () => render(main, ctx)),
    el('h2', {}, 'Orders'),
    orders === null ? el('p', {}, 'Your role cannot see orders.') : el('table', {},
      el('thead', {}, el('tr', {}, ['Order', 'Member', 'Total', 'Points', 'Card', 'Mileage', 'Status', ''].map(h => el('th', {}, h)))),
      el('tbody', {}, orders.map(o => el('tr', {}, el('td', {}, `#${o.id}`), el('td', {}, String(o.memberId)), el('td', { class: 'num' }, won(o.totalWon)),
        el('td', { class: 'num' }, pts(o.pointsAmount)), el('td', { class: 'num' }, won(o.cashWon)), el('td', { class: 'num' }, pts(o.mileageEarned)),
        el('td', {}, el('span', { class: `status ${o.status}` }, o.status)),
        el('td', {}, o.status === 'PAID' ? el('button', { type: 'button', class: 'secondary', onclick: refund(o) }, 'Refund') : null))))),
    streams);
}
