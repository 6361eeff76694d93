// The token wallet: tokens per vendor (available, held for bids, value) and the member's mall history.
import { get, post } from '../../api.js';
import { el, page, won } from '../../dom.js';
import { needMember, tabs, tokenName } from '../mall.js';

// what each token kind is for, in words
const KINDS = {
  STANDARD: 'Standard',
  MANUFACTURER: 'Manufacturer (listed products)',
  GIFT_CERTIFICATE: 'Gift certificate (not exchangeable)',
  AUCTION: 'Auction bids only',
};
const ownKind = w => w.kind === 'STANDARD' || w.kind === 'MANUFACTURER';

export async function render(main, ctx) {
  if (!ctx.state.signedIn) return needMember(main, 'Token wallet', 'wallet', 'to see your tokens');
  const [wallet, history] = await Promise.all([get('/api/v1/mall/wallet'), get('/api/v1/mall/history')]);
  const table = el('table', { id: 'wallet' },
    el('thead', {}, el('tr', {}, ['Vendor', 'Token', 'Kind', 'Available', 'Held for bids', 'Rate', 'Value'].map((h, i) => el('th', { class: i > 2 ? 'num' : null }, h)))),
    el('tbody', {}, wallet.map(w => el('tr', { id: ownKind(w) ? `token-${w.vendorId}` : `token-${w.vendorId}-${w.kind.toLowerCase()}` }, el('td', {}, w.vendorName),
      el('td', {}, tokenName(w.token), w.restricted ? el('span', { class: 'muted' }, ' (listed products only)') : null),
      el('td', { class: 'kind' }, KINDS[w.kind] || w.kind),
      el('td', { class: 'num available' }, w.available.toLocaleString('en-US')), el('td', { class: 'num' }, w.held.toLocaleString('en-US')),
      el('td', { class: 'num' }, won(w.rateWon)), el('td', { class: 'num' }, won(w.valueWon))))));
  const what = { SALE: 'bought by card', ALLOT: 'received from the vendor', SPEND: 'spent', EXCHANGE: 'exchanged' };
  const moves = el('table', { id: 'mall-history' },
    el('thead', {}, el('tr', {}, el('th', {}, 'When'), el('th', {}, 'What'), el('th', { class: 'num' }, 'Tokens'))),
    el('tbody', {}, history.map(e => el('tr', {}, el('td', {}, new Date(e.createdAt).toLocaleString()),
      el('td', {}, `${what[e.kind] || e.kind}${e.sku ? ` (${e.sku})` : ''}${e.kind === 'EXCHANGE' ? `: ${e.creditedTokens} received, service charge ${e.feeTokens}` : ''}`),
      el('td', { class: 'num' }, e.tokens.toLocaleString('en-US'))))));
  // paying at a vendor's counter: a one-time code for its POS terminal
  const vendors = wallet.length ? await get('/api/v1/mall/vendors') : [];
  const payForm = el('form', { class: 'inline', id: 'pay-code-form' },
    el('label', { for: 'pay-at' }, 'Pay at the counter of'), el('select', { id: 'pay-at' }, vendors.map(v => el('option', { value: v.id }, v.name))),
    el('label', { for: 'pay-token' }, 'with'), el('select', { id: 'pay-token' }, wallet.filter(w => w.kind !== 'AUCTION').map(w =>
      el('option', { value: ownKind(w) ? String(w.vendorId) : `${w.vendorId}:${w.kind}` }, tokenName(w.token)))),
    el('button', { type: 'submit' }, 'Show a pay code'));
  const codeBox = el('p', { id: 'pay-code', 'aria-live': 'polite' });
  payForm.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      // auction tokens pay only for bids, so they are not offered here; gift tokens are "<vendorId>:GIFT_CERTIFICATE"
      const [tokenVendorId, tokenKind] = payForm.querySelector('#pay-token').value.split(':');
      const c = await post('/api/v1/mall/pay-codes', { vendorId: Number(payForm.querySelector('#pay-at').value), tokenVendorId: Number(tokenVendorId),
        ...(tokenKind ? { tokenKind } : {}) });
      codeBox.replaceChildren('Show this code at the till (one sale, until ', new Date(c.expiresAt).toLocaleTimeString(), '): ',
        el('strong', { class: 'high-bid' }, c.code.replace(/(.{5})(?=.)/g, '$1-')));
    } catch (err) { ctx.notify(err.message, true); }
  });
  page(main, 'Token wallet', tabs('wallet'),
    wallet.length ? table : el('p', {}, 'No tokens yet: register with a vendor in the ', el('a', { href: '#/mall' }, 'mall'), ' and buy or earn some.'),
    wallet.length ? el('section', {}, el('h2', {}, 'Pay at a shop'), payForm, codeBox) : null,
    el('h2', {}, 'History'), history.length ? moves : el('p', { class: 'muted' }, 'Nothing yet.'));
}
