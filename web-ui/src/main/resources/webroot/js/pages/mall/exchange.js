// Exchanging tokens between vendors: the rate and the service charge are shown before confirming, and the
// server refuses the exchange if the rates moved in between (the confirmed figure is sent along).
import { get, post } from '../../api.js';
import { el, page, won } from '../../dom.js';
import { refreshHeader } from '../../session.js';
import { needMember, tabs, tokenName, tokens } from '../mall.js';

export async function render(main, ctx) {
  if (!ctx.state.signedIn) return needMember(main, 'Exchange tokens', 'exchange', 'to exchange tokens');
  const [wallet, vendors] = await Promise.all([get('/api/v1/mall/wallet'), get('/api/v1/mall/vendors')]);
  // only vendors' own standard tokens are exchanged (not manufacturer, gift-certificate or auction tokens)
  const own = wallet.filter(w => w.exchangeable && w.available > 0);
  const targets = vendors.filter(v => v.kind === 'SHOP');
  const form = el('form', { class: 'stack', id: 'exchange-form' },
    el('div', {}, el('label', { for: 'from' }, 'Give tokens of'), el('select', { id: 'from' },
      own.map(w => el('option', { value: w.vendorId }, `${tokenName(w.token)} (you have ${w.available})`)))),
    el('div', {}, el('label', { for: 'to' }, 'For tokens of'), el('select', { id: 'to' },
      targets.map(v => el('option', { value: v.id }, `${tokenName(v.token)} (${v.name})`)))),
    el('div', {}, el('label', { for: 'amount' }, 'Tokens to give'), el('input', { id: 'amount', type: 'number', min: 1, required: true })),
    el('button', { type: 'submit', id: 'get-quote' }, 'Show rate and service charge'));
  const quoteBox = el('div', { id: 'quote', 'aria-live': 'polite' });
  let quote = null;
  form.addEventListener('input', () => { quote = null; quoteBox.replaceChildren(); });
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const v = id => form.querySelector(`#${id}`).value;
    try {
      quote = await get(`/api/v1/mall/exchange-quote?from=${v('from')}&to=${v('to')}&tokens=${v('amount')}`);
      const key = crypto.randomUUID();
      quoteBox.replaceChildren(el('dl', { class: 'quote' },
        el('dt', {}, 'Rates'), el('dd', { id: 'quote-rates' }, `${tokenName(quote.fromToken)} ${won(quote.rateFromWon)} · ${tokenName(quote.toToken)} ${won(quote.rateToWon)}`),
        el('dt', {}, 'Service charge'), el('dd', { id: 'quote-charge' }, `${tokens(quote.serviceChargeTokens, quote.fromToken)} (${won(quote.serviceChargeWon)}, ${quote.serviceChargeBasisPoints / 100}%)`),
        el('dt', {}, 'You receive'), el('dd', { id: 'quote-credited' }, tokens(quote.credited, quote.toToken))),
        el('button', { type: 'button', id: 'confirm-exchange', onclick: async ev => {
          ev.target.disabled = true;
          try {
            const r = await post('/api/v1/mall/exchanges', { fromVendorId: quote.fromVendorId, toVendorId: quote.toVendorId,
              tokens: quote.tokens, expectedCredited: quote.credited, requestKey: key });
            await refreshHeader();
            await render(main, ctx);
            ctx.notify(`Exchanged: you received ${tokens(r.creditedTokens, quote.toToken)}.`);
          } catch (err) { ctx.notify(err.message, true); ev.target.disabled = false; }
        } }, 'Confirm exchange'));
    } catch (err) { ctx.notify(err.message, true); }
  });
  page(main, 'Exchange tokens', tabs('exchange'),
    own.length ? el('div', {}, form, quoteBox) : el('p', {}, 'You have no exchangeable tokens yet.'));
}
