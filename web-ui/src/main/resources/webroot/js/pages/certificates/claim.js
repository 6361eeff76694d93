// The recipient's page, opened from the message's link (#/gifts/claim?t=<token>): see the gift, accept or decline.
import { get, post, ApiError } from '../../api.js';
import { el, page, won } from '../../dom.js';
import { tabs } from '../gifts.js';

export async function render(main, ctx) {
  const token = ctx.query.get('t') || sessionStorage.getItem('pendingClaim') || '';
  let gift;
  try { gift = await get(`/certificates/claims/${encodeURIComponent(token)}`); }
  catch (err) {
    if (!(err instanceof ApiError)) throw err;
    page(main, 'Gift', el('p', {}, 'There is no gift behind this link. Check the link in your message.'));
    return;
  }
  const link = `#/gifts/claim?t=${encodeURIComponent(token)}`;
  const result = el('div', { id: 'claim-result', 'aria-live': 'polite' });
  const items = el('ul', { id: 'gift-items' }, gift.certificates.map(c => el('li', {}, `${c.issuer} ${won(c.faceValueWon)}`)));
  const decide = [];
  if (gift.status === 'SENT') {
    if (ctx.state.signedIn) {
      decide.push(el('button', { type: 'button', id: 'accept', onclick: async () => {
        try {
          const r = await post(`/api/v1/certificates/claims/${encodeURIComponent(token)}/accept`, {});
          sessionStorage.removeItem('pendingClaim');
          ctx.notify('Accepted: the certificates are now yours.');
          result.replaceChildren(el('section', { class: 'issued' }, el('h2', {}, 'Your PINs'),
            el('p', {}, 'Note them now; they are shown once. Use them with the barcode in My certificates (it is also on its way to your phone).'),
            el('ul', {}, r.certificates.map(c => el('li', {}, `Certificate #${c.id}: `, el('span', { class: 'pin' }, c.pin)))),
            el('a', { href: '#/gifts/mine' }, 'Go to My certificates')));
          decide.forEach(b => b.remove());
        } catch (err) { ctx.notify(err.message, true); }
      } }, 'Accept'));
    } else {
      sessionStorage.setItem('pendingClaim', token);
      decide.push(el('p', { id: 'claim-signin' }, 'To accept, ', el('a', { href: '#/signup' }, 'join Mileage'), ' (free) with this phone number or ',
        el('a', { href: '#/signin' }, 'sign in'), `, then come back to `, el('a', { href: link }, 'this gift'), '.'));
    }
    decide.push(el('button', { type: 'button', class: 'secondary', id: 'reject', onclick: async () => {
      if (!confirm('Decline this gift? The sender keeps it.')) return;
      try {
        await post(`/certificates/claims/${encodeURIComponent(token)}/reject`, {});
        sessionStorage.removeItem('pendingClaim');
        ctx.notify('Declined. The sender has been told.');
        decide.forEach(b => b.remove());
      } catch (err) { ctx.notify(err.message, true); }
    } }, 'Decline'));
  }
  page(main, `A gift from ${gift.from}`, ctx.state.signedIn ? tabs('') : null,
    el('section', { class: 'card cert', id: 'gift' },
      gift.message ? el('blockquote', { id: 'gift-message' }, gift.message) : null,
      gift.extra ? el('p', {}, 'With ', el('strong', {}, gift.extra)) : null, items,
      el('p', {}, 'Status: ', el('span', { class: `status ${gift.status}`, id: 'gift-status' }, gift.status.toLowerCase()))),
    el('div', { class: 'row' }, decide), result);
}
