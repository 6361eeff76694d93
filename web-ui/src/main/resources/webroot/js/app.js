// The site's router: #/name/arg -> js/pages/<module>.js, whose render(main, arg, query) draws the page.
// Later features replace their placeholder module (phone, streams, trading, gifts, mall) with the real page.
import { refreshSession, state } from './session.js';
import { refreshBadge } from './cart.js';
import { el } from './dom.js';

const ROUTES = {
  shop: 'shop', product: 'product', cart: 'cart', orders: 'orders', wallet: 'wallet',
  signin: 'account', signup: 'account', verify: 'account', account: 'account',
  phone: 'phone', streams: 'streams', trading: 'trading', gifts: 'gifts', mall: 'mall', backoffice: 'backoffice',
};

export function notify(message, isError = false) {
  const n = document.getElementById('notice');
  n.className = isError ? 'notice error' : 'notice';
  n.textContent = message;
}

// A message meant for the page a navigation leads to (set just before changing the hash).
let flash = null;
let routeSeq = 0;

export function go(hash, message, isError = false) {
  flash = { message, isError };
  if (location.hash === hash) route(); else location.hash = hash;
}

async function route() {
  if (flash) { notify(flash.message, flash.isError); flash = null; } else notify('');
  const hash = location.hash.replace(/^#\/?/, '') || 'shop';
  const [pathPart, queryPart] = hash.split('?');
  const [name, arg] = pathPart.split('/');
  const module = ROUTES[name] || 'shop';
  document.querySelectorAll('.main-nav a').forEach(a => {
    if (a.dataset.route === (ROUTES[name] ? name : 'shop')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  // Each navigation renders into a fresh view and shows it only if no later navigation started meanwhile.
  const seq = ++routeSeq;
  const main = document.getElementById('main');
  const view = el('div', { class: 'view' });
  try {
    const page = await import(`./pages/${module}.js`);
    await page.render(view, { name, arg, query: new URLSearchParams(queryPart || ''), state, notify, go });
  } catch (e) {
    view.replaceChildren(el('h1', { tabindex: '-1' }, 'Something went wrong'), el('p', {}, e.message));
  }
  if (seq !== routeSeq) return;
  main.replaceChildren(view);
  view.querySelector('h1')?.focus();
}

window.addEventListener('hashchange', route);
document.getElementById('search-form').addEventListener('submit', e => {
  e.preventDefault();
  const q = document.getElementById('search').value.trim();
  location.hash = q ? `#/shop?q=${encodeURIComponent(q)}` : '#/shop';
});

refreshBadge();
refreshSession().catch(() => {}).finally(route);
