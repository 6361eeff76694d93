// Placeholder until its feature lands (issue 8): replace this module with the real page, keeping render().
import { el, page } from '../dom.js';

export function render(main) {
  page(main, 'Trading', el('div', { class: 'placeholder' },
    el('p', {}, 'See all your points from partner shops in one portfolio and trade them with other members.'),
    el('ul', {}, ['Portfolio with cash values at current rates', 'An order book per pair of point types: place, fill and cancel orders', 'Transfers to members by phone number, buying points and cashing out'].map(t => el('li', {}, t))),
    el('p', { class: 'muted' }, 'Coming soon. Meanwhile your mileage keeps growing in the ', el('a', { href: '#/shop' }, 'shop'), '.')));
}
