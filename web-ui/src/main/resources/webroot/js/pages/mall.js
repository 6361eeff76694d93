// The token mall (issue 9): #/mall[/view]. The vendor directory lives here; the other views (shop, wallet,
// exchange, auctions, auction, backoffice) are modules in ./mall/.
import { get } from '../api.js';
import { el, page } from '../dom.js';

const VIEWS = { shop: 'shop', wallet: 'wallet', exchange: 'exchange', auctions: 'auctions', auction: 'auctions', backoffice: 'backoffice', notifications: 'notifications' };

export const tokenName = code => code.replace(/^TOKEN_/, '').toLowerCase();
export const tokens = (n, code) => `${Number(n).toLocaleString('en-US')} ${code ? tokenName(code) : ''} tokens`.replace('  ', ' ');

function styles() {
  if (document.getElementById('mall-css')) return;
  document.head.append(el('link', { rel: 'stylesheet', href: 'css/mall.css', id: 'mall-css' }));
}

export function tabs(current) {
  const items = [['', 'Vendors'], ['wallet', 'Token wallet'], ['exchange', 'Exchange'], ['auctions', 'Auctions'], ['backoffice', 'Vendor & operator office']];
  return el('nav', { 'aria-label': 'Mall' }, el('ul', { class: 'mall-tabs' }, items.map(([v, label]) =>
    el('li', {}, el('a', { href: v ? `#/mall/${v}` : '#/mall', 'aria-current': v === current ? 'page' : null }, label)))));
}

export function needMember(main, title, current, what) {
  page(main, title, tabs(current), el('p', {}, el('a', { href: '#/signin' }, 'Sign in'), ' or ',
    el('a', { href: '#/signup' }, 'join Mileage'), ` ${what}.`));
}

const giftsTaken = v => v.acceptedTokens.filter(t => (t.kinds || []).includes('GIFT_CERTIFICATE')).map(t => `${tokenName(t.token)}_gift`);

export async function render(main, ctx) {
  styles();
  if (VIEWS[ctx.arg]) {
    const view = await import(`./mall/${VIEWS[ctx.arg]}.js`);
    return view.render(main, ctx);
  }
  if (!ctx.state.signedIn) return needMember(main, 'Mall', '', 'to see the mall\'s vendors and spend their tokens');
  const vendors = await get('/api/v1/mall/vendors');
  const list = el('ul', { class: 'vendor-list', id: 'vendors' }, vendors.map(v => el('li', { class: 'card', dataset: { vendor: v.id } },
    el('h2', {}, el('a', { href: `#/mall/shop?id=${v.id}` }, v.name)),
    el('p', { class: 'muted' }, v.kind === 'MANUFACTURER' ? 'Manufacturer: its tokens pay for listed products only'
      : `Own token: ${tokenName(v.token)} (₩${v.rateWon} each)`),
    el('p', {}, 'Accepts: ', v.acceptedTokens.length ? v.acceptedTokens.map(t => tokenName(t.token)).join(', ') : 'no tokens'),
    // gift certificates of the vendors it accepts are taken too; auction tokens only bid in their vendor's auctions
    giftsTaken(v).length ? el('p', { class: 'gifts' }, 'Gift certificates accepted: ', giftsTaken(v).join(', ')) : null,
    (v.tokenKinds || []).includes('AUCTION') ? el('p', { class: 'muted' }, `Auction tokens: ${tokenName(v.token)}_auction, for its auctions only`) : null)));
  page(main, 'Mall', tabs(''),
    el('p', {}, 'Vendors of the mall and the tokens each accepts. Tokens of one vendor can be spent at any vendor that accepts them, or exchanged.'),
    vendors.length ? list : el('p', {}, 'No vendors yet.'));
}
