// Placeholder until its feature lands (issue 7): replace this module with the real page, keeping render().
import { el, page } from '../dom.js';

export function render(main) {
  page(main, 'Streams', el('div', { class: 'placeholder' },
    el('p', {}, 'Watch videos, listen to music and spoken programs, download software and query databases, paid by the minute with points.'),
    el('ul', {}, ['A catalog by kind with the price per minute', 'A player showing points and time left, pausing the meter when you pause', 'A history of what you played and what it cost'].map(t => el('li', {}, t))),
    el('p', { class: 'muted' }, 'Coming soon. Meanwhile your mileage keeps growing in the ', el('a', { href: '#/shop' }, 'shop'), '.')));
}
