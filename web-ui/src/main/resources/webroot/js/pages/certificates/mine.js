// "My certificates": balance per certificate, barcodes large enough to scan at a till, a new PIN, gifting.
import { get, post } from '../../api.js';
import { el, page, won } from '../../dom.js';
import { needMember, tabs } from '../gifts.js';

export async function render(main, ctx) {
  if (!ctx.state.signedIn) return needMember(main, 'My certificates', ctx, 'to see your certificates');
  const mine = await get('/api/v1/certificates/mine');
  const list = el('div', { class: 'grid', id: 'my-certificates' }, mine.map(c => card(c, ctx)));
  page(main, 'My certificates', tabs('mine'),
    mine.length ? el('p', {}, `${mine.length} certificate(s), ${won(mine.reduce((s, c) => s + c.balanceWon, 0))} left in all.`) : el('p', {}, 'No certificates yet. ', el('a', { href: '#/gifts' }, 'Buy one'), '.'),
    list);
}

function card(c, ctx) {
  const barcode = el('div', { class: 'barcode', hidden: true });
  const pinBox = el('p', { 'aria-live': 'polite' });
  const show = el('button', { type: 'button', class: 'secondary', onclick: () => {
    if (barcode.hidden) {
      barcode.replaceChildren(
        el('img', { class: 'c128', src: `/api/v1/certificates/mine/${c.id}/barcode?kind=code128`, alt: `Code 128 barcode of ${c.code}` }),
        el('img', { class: 'qr', src: `/api/v1/certificates/mine/${c.id}/barcode?kind=qr`, alt: `QR code of ${c.code}` }));
    }
    barcode.hidden = !barcode.hidden;
    show.textContent = barcode.hidden ? 'Show barcode' : 'Hide barcode';
  } }, 'Show barcode');
  const newPin = el('button', { type: 'button', class: 'secondary', onclick: async () => {
    if (!confirm('Set a new PIN? The old one stops working.')) return;
    try { const r = await post(`/api/v1/certificates/mine/${c.id}/pin`, {}); pinBox.replaceChildren('New PIN: ', el('span', { class: 'pin' }, r.pin)); }
    catch (err) { ctx.notify(err.message, true); }
  } }, 'New PIN');
  return el('section', { class: 'card cert', id: `cert-${c.id}`, dataset: { id: c.id } },
    el('div', { class: 'issuer' }, c.issuer), el('div', { class: 'muted' }, c.description),
    el('div', {}, 'Face value ', won(c.faceValueWon), ' · ', el('span', { class: `status ${c.status}` }, c.status === 'GIFT_PENDING' ? 'being gifted' : 'active')),
    el('div', {}, 'Left: ', el('span', { class: 'left' }, won(c.balanceWon))),
    el('div', { class: 'code' }, c.code),
    el('div', { class: 'row' }, show, c.status === 'ACTIVE' ? newPin : null,
      c.status === 'ACTIVE' && c.balanceWon > 0 ? el('a', { class: 'button secondary', href: `#/gifts/send?ids=${c.id}` }, 'Gift') : null),
    pinBox, barcode);
}
