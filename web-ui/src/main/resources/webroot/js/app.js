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

async function route() {
  const hash = location.hash.replace(/^#\/?/, '') || 'shop';
  const [pathPart, queryPart] = hash.split('?');
  const [name, arg] = pathPart.split('/');
  const module = ROUTES[name] || 'shop';
  document.querySelectorAll('.main-nav a').forEach(a => {
    if (a.dataset.route === (ROUTES[name] ? name : 'shop')) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  });
  const main = document.getElementById('main');
  try {
    const page = await import(`./pages/${module}.js`);
    await page.render(main, { name, arg, query: new URLSearchParams(queryPart || ''), state, notify });
  } catch (e) {
    main.replaceChildren(el('h1', {}, 'Something went wrong'), el('p', {}, e.message));
  }
}

window.addEventListener('hashchange', () => { notify(''); route(); });
document.getElementById('search-form').addEventListener('submit', e => {
  e.preventDefault();
  const q = document.getElementById('search').value.trim();
  location.hash = q ? `#/shop?q=${encodeURIComponent(q)}` : '#/shop';
});

refreshBadge();
refreshSession().catch(() => {}).finally(route);
