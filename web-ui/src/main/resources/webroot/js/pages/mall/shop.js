// A vendor's shop: its catalog priced in its token, and buying with any token the vendor accepts.
import { get, post } from '../../api.js';
import { el, page } from '../../dom.js';
import { refreshHeader } from '../../session.js';
import { needMember, tabs, tokenName, tokens } from '../mall.js';

// what a product costs in another vendor's tokens at the current rates (the server decides; this is the preview)
const priceIn = (price, shopRate, t) => t.vendorId === undefined ? price : Math.ceil(price * shopRate / t.rateWon);

export async function render(main, ctx, chosen) {
  if (!ctx.state.signedIn) return needMember(main, 'Vendor shop', '', 'to shop with tokens');
  const id = Number(ctx.query.get('id'));
  const [shop, wallet] = await Promise.all([get(`/api/v1/mall/vendors/${id}`), get('/api/v1/mall/wallet')]);
  const held = vendorId => (wallet.find(w => w.vendorId === vendorId) || { available: 0 }).available;
  const usable = shop.acceptedTokens;
  const pay = el('select', { id: 'pay-with' }, usable.map(t => el('option', { value: t.vendorId, selected: t.vendorId === chosen },
    `${tokenName(t.token)} tokens (you have ${held(t.vendorId)})`)));
  const register = el('button', { type: 'button', class: 'secondary', id: 'register', onclick: async () => {
    try { await post(`/api/v1/mall/vendors/${id}/registrations`, {}); ctx.notify(`You are registered with ${shop.name}.`); }
    catch (err) { ctx.notify(err.message, true); }
  } }, `Register with ${shop.name}`);
  const buyTokens = el('form', { class: 'inline', id: 'buy-tokens-form' },
    el('label', { for: 'buy-count' }, `Buy ${tokenName(shop.token)} tokens by card (₩${shop.rateWon} each)`),
    el('input', { id: 'buy-count', type: 'number', min: 1, max: 1000000, required: true, value: 10 }),
    el('select', { id: 'buy-card', 'aria-label': 'Card' }, el('option', { value: 'sandbox-ok' }, 'Test card that pays'),
      el('option', { value: 'sandbox-decline' }, 'Test card that is declined')),
    el('button', { type: 'submit' }, 'Buy tokens'));
  buyTokens.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      const r = await post(`/api/v1/mall/vendors/${id}/token-purchases`, { tokens: Number(buyTokens.querySelector('#buy-count').value),
        cardToken: buyTokens.querySelector('#buy-card').value, requestKey: crypto.randomUUID() });
      await render(main, ctx, Number(pay.value));
      ctx.notify(`Bought ${tokens(r.tokens, shop.token)} for ₩${r.valueWon.toLocaleString('en-US')}.`);
    } catch (err) { ctx.notify(err.message, true); }
  });
  const rows = shop.products.map(p => el('tr', { dataset: { sku: p.sku } }, el('td', {}, p.name),
    el('td', { class: 'num' }, tokens(p.priceTokens, shop.token)),
    el('td', {}, el('button', { type: 'button', class: 'buy', dataset: { sku: p.sku }, onclick: async ev => {
      ev.target.disabled = true;
      const tokenVendorId = Number(pay.value);
      try {
        const r = await post(`/api/v1/mall/vendors/${id}/purchases`, { sku: p.sku, tokenVendorId, requestKey: crypto.randomUUID() });
        const t = usable.find(u => u.vendorId === tokenVendorId);
        await refreshHeader();
        await render(main, ctx, tokenVendorId);
        ctx.notify(`Bought ${p.name} for ${tokens(r.tokens, t.token)}.`);
      } catch (err) { ctx.notify(err.message, true); ev.target.disabled = false; }
    } }, `Buy ${p.name}`))));
  page(main, shop.name, tabs(''),
    el('p', { class: 'muted' }, `Prices are in ${tokenName(shop.token)} tokens (₩${shop.rateWon} each). With another vendor's tokens you pay the same value at today's rates.`),
    el('div', {}, el('label', { for: 'pay-with' }, 'Pay with'), pay),
    shop.products.length ? el('table', { id: 'products' }, el('thead', {}, el('tr', {}, el('th', {}, 'Product'), el('th', { class: 'num' }, 'Price'), el('th', {}, ''))),
      el('tbody', {}, rows)) : el('p', {}, 'No products yet.'),
    shop.kind === 'SHOP' ? el('section', {}, el('h2', {}, 'Tokens of this vendor'), register, buyTokens) : null,
    el('p', {}, el('a', { href: '#/mall/wallet' }, 'Your token wallet')));
  // keep the preview honest: show the price in the chosen token
  const preview = () => rows.forEach((r, i) => {
    const t = usable.find(u => u.vendorId === Number(pay.value));
    if (t) r.children[1].textContent = tokens(t.vendorId === shop.id ? shop.products[i].priceTokens
      : priceIn(shop.products[i].priceTokens, shop.rateWon, t), t.token);
  });
  pay.addEventListener('change', preview);
  preview();
}
