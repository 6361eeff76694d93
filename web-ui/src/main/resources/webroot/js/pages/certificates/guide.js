// How gift certificates work, for buyers, recipients and shops.
import { el, page } from '../../dom.js';
import { tabs } from '../gifts.js';

export function render(main, ctx) {
  const step = (title, text) => el('li', {}, el('strong', {}, title), ' — ', text);
  page(main, 'How gift certificates work', tabs('guide'),
    el('ol', {},
      step('Buy', 'choose a category, an issuer and a face value, how many sheets, and pay by card or on your phone bill (up to the monthly limit). Each certificate gets its own code, barcode and six-digit PIN; the PIN is shown once.'),
      step('Use in a shop', 'open My certificates, show the barcode at the till and type the PIN on the terminal. You can use part of the value; the rest stays on the certificate.'),
      step('Use online', 'at checkout choose one of your certificates and enter its PIN.'),
      step('Give', 'send certificates to any mobile number with a message and a free extra (ring tone, background music, theme card or character). The recipient gets a message (MMS) with yours and a link; they join Mileage with that number to accept, or decline and you keep the certificate.'),
      step('Stay safe', 'never tell anyone your PIN. After a few wrong PINs a certificate is paused for a while. If you think someone saw it, set a new PIN in My certificates.')),
    el('h2', {}, 'For shops'),
    el('p', {}, 'Stores registered by the operator get a POS key. Each redemption carries the store\'s own transaction id, so a repeated request after a time-out never takes the value twice. The redeemed value is settled to the store\'s account. Try it on the ', el('a', { href: '#/gifts/pos' }, 'POS simulator'), '.'));
}
