// Placeholder until its feature lands (issue 9): replace this module with the real page, keeping render().
import { el, page } from '../dom.js';

export function render(main) {
  page(main, 'Mall', el('div', { class: 'placeholder' },
    el('p', {}, 'A mall of vendor shops whose tokens you can spend and exchange across vendors.'),
    el('ul', {}, ['Vendor directory with the tokens each accepts', 'Token wallet and exchange with the service charge shown', 'Auctions with live bids'].map(t => el('li', {}, t))),
    el('p', { class: 'muted' }, 'Coming soon. Meanwhile your mileage keeps growing in the ', el('a', { href: '#/shop' }, 'shop'), '.')));
}
