// Placeholder until its feature lands (issue 6): replace this module with the real page, keeping render().
import { el, page } from '../dom.js';

export function render(main) {
  page(main, 'Phone', el('div', { class: 'placeholder' },
    el('p', {}, 'Call any phone number from this page and pay with mileage, by the second.'),
    el('ul', {}, ['A dial pad with country codes, and how many minutes your balance buys for the number you type', 'Your remaining points and time counting down while you talk', 'Mute, keypad tones and recent calls with their cost'].map(t => el('li', {}, t))),
    el('p', { class: 'muted' }, 'Coming soon. Meanwhile your mileage keeps growing in the ', el('a', { href: '#/shop' }, 'shop'), '.')));
}
