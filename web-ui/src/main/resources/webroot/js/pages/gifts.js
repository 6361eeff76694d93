// Placeholder until its feature lands (issue 10): replace this module with the real page, keeping render().
import { el, page } from '../dom.js';

export function render(main) {
  page(main, 'Gift certificates', el('div', { class: 'placeholder' },
    el('p', {}, 'Buy electronic gift certificates, gift them to a phone number and redeem them in shops.'),
    el('ul', {}, ['Catalog by category and issuer, paid by card or on your phone bill', 'My certificates with a barcode to show at the till', 'Gifts with a message, ring tone or theme card, and their history'].map(t => el('li', {}, t))),
    el('p', { class: 'muted' }, 'Coming soon. Meanwhile your mileage keeps growing in the ', el('a', { href: '#/shop' }, 'shop'), '.')));
}
