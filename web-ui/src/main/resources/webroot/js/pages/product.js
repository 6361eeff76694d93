// One product: picture, details, variants and quantity, add to cart.
import { get } from '../api.js';
import { el, page, won, pts } from '../dom.js';
import { add } from '../cart.js';

export async function render(main, { arg, notify }) {
  const p = await get(`/catalog/products/${encodeURIComponent(arg)}`);
  const choices = [];
  if (p.sizes.length) choices.push(el('div', {}, el('label', { for: 'size' }, 'Size'),
    el('select', { id: 'size' }, p.sizes.map(s => el('option', { value: s }, s)))));
  if (p.colours.length) choices.push(el('div', {}, el('label', { for: 'colour' }, 'Colour'),
    el('select', { id: 'colour' }, p.colours.map(c => el('option', { value: c }, c)))));
  const form = el('form', { class: 'stack', id: 'add-form' }, ...choices,
    el('div', {}, el('label', { for: 'quantity' }, 'Quantity'),
      el('input', { id: 'quantity', type: 'number', min: 1, max: Math.min(99, p.stock), value: 1, required: true })),
    el('div', { class: 'row' }, el('button', { type: 'submit', disabled: p.stock === 0 }, p.stock === 0 ? 'Sold out' : 'Add to cart'),
      el('a', { href: '#/cart', class: 'button secondary' }, 'Go to cart')));
  form.addEventListener('submit', e => {
    e.preventDefault();
    const size = main.querySelector('#size')?.value;
    const colour = main.querySelector('#colour')?.value;
    const variant = [size, colour].filter(Boolean).join(' / ');
    const quantity = Number(main.querySelector('#quantity').value);
    try {
      add(p, variant, quantity);
      notify(`Added ${quantity} × ${p.name}${variant ? ` (${variant})` : ''} to your cart.`);
    } catch (err) { notify(err.message, true); }
  });
  page(main, p.name, el('div', { class: 'product' },
    el('img', { src: p.image, alt: `Picture of ${p.name}`, width: 420, height: 420 }),
    el('div', {},
      el('p', { class: 'price' }, won(p.priceWon)),
      el('p', { class: 'earn' }, `You earn ${pts(p.mileage.perUnit)} mileage per item`),
      el('p', {}, p.features),
      el('dl', {}, el('dt', {}, 'Kind'), el('dd', {}, p.kind), el('dt', {}, 'Supplier'), el('dd', {}, p.supplier),
        el('dt', {}, 'In stock'), el('dd', {}, String(p.stock))),
      form)));
}
