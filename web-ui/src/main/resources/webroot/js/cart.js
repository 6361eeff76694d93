// The cart lives in this browser only (localStorage) until checkout; the server checks everything again.
const KEY = 'mileage.cart';
const LINES_MAX = 20;
const QUANTITY_MAX = 99;

export function lines() {
  try { return JSON.parse(localStorage.getItem(KEY)) || []; } catch { return []; }
}

function save(items) {
  localStorage.setItem(KEY, JSON.stringify(items));
  const n = items.reduce((s, l) => s + l.quantity, 0);
  const badge = document.getElementById('cart-count');
  if (badge) badge.textContent = n ? String(n) : '';
}

export function add(product, variant, quantity) {
  const items = lines();
  const same = items.find(l => l.productId === product.id && l.variant === variant);
  if (same) same.quantity = Math.min(QUANTITY_MAX, same.quantity + quantity);
  else if (items.length < LINES_MAX) items.push({ productId: product.id, name: product.name, variant, quantity, priceWon: product.priceWon });
  else throw new Error(`a cart holds at most ${LINES_MAX} lines`);
  save(items);
}

export function setQuantity(index, quantity) {
  const items = lines();
  if (quantity <= 0) items.splice(index, 1);
  else items[index].quantity = Math.min(QUANTITY_MAX, quantity);
  save(items);
}

export function clear() { save([]); }
export function refreshBadge() { save(lines()); }
