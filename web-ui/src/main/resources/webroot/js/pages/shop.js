// Catalog: kinds as filters, search results, product cards.
import { get } from '../api.js';
import { el, page, won, pts } from '../dom.js';

export function productCard(p) {
  return el('article', { class: 'card' },
    el('a', { href: `#/product/${p.id}`, 'aria-label': p.name }, el('img', { src: p.image, alt: '', width: 256, height: 256, loading: 'lazy' })),
    el('h2', {}, el('a', { href: `#/product/${p.id}` }, p.name)),
    el('div', { class: 'price' }, won(p.priceWon)),
    el('div', { class: 'earn' }, p.mileage.mode === 'PERCENT'
      ? `Earn ${p.mileage.value / 100}% mileage (${pts(p.mileage.perUnit)})` : `Earn ${pts(p.mileage.perUnit)}`),
    el('div', { class: 'muted' }, p.supplier, p.stock === 0 ? ' · sold out' : p.stock < 10 ? ` · only ${p.stock} left` : ''));
}

export async function render(main, { query }) {
  const kind = query.get('kind') || '';
  const q = query.get('q') || '';
  const params = new URLSearchParams();
  if (kind) params.set('kind', kind);
  if (q) params.set('q', q);
  const [kinds, products] = await Promise.all([get('/catalog/kinds'), get(`/catalog/products?${params}`)]);
  const filters = el('ul', { class: 'kinds', 'aria-label': 'Kinds of product' },
    el('li', {}, el('a', { href: '#/shop', 'aria-current': kind ? 'false' : 'true' }, 'All')),
    ...kinds.map(k => el('li', {}, el('a', { href: `#/shop?kind=${encodeURIComponent(k)}`, 'aria-current': k === kind ? 'true' : 'false' }, k))));
  const title = q ? `Results for “${q}”` : kind ? `Shop: ${kind}` : 'Shop';
  page(main, title, filters,
    products.length ? el('div', { class: 'grid', id: 'products' }, products.map(productCard))
      : el('p', {}, 'Nothing found. Try another word or kind.'));
}
