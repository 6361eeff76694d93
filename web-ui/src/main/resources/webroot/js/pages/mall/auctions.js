// Auctions payable in tokens: #/mall/auctions lists them, #/mall/auction?id=N shows one with its bids, kept
// live by polling, and the bid form. A bid holds the tokens until it is outbid (released) or wins (paid).
import { get, post } from '../../api.js';
import { el, page } from '../../dom.js';
import { refreshHeader } from '../../session.js';
import { needMember, tabs, tokenName, tokens } from '../mall.js';

const LIVE_POLL_MS = 2000;

function list(main, auctions) {
  page(main, 'Auctions', tabs('auctions'), auctions.length ? el('table', { id: 'auctions' },
    el('thead', {}, el('tr', {}, el('th', {}, 'Lot'), el('th', {}, 'Vendor'), el('th', { class: 'num' }, 'Highest bid'), el('th', {}, 'Closes'), el('th', {}, 'Status'))),
    el('tbody', {}, auctions.map(a => el('tr', {}, el('td', {}, el('a', { href: `#/mall/auction?id=${a.id}` }, a.title)), el('td', {}, a.vendorName),
      el('td', { class: 'num' }, a.highBid ? tokens(a.highBid, a.token) : `from ${tokens(a.startingBid, a.token)}`),
      el('td', {}, new Date(a.closesAt).toLocaleString()), el('td', {}, a.status.toLowerCase())))))
    : el('p', {}, 'No auctions yet.'));
}

function bidsView(a) {
  return el('div', { id: 'auction-live' },
    el('p', {}, 'Highest bid: ', el('span', { class: 'high-bid', id: 'high-bid' }, a.highBid ? tokens(a.highBid, a.token) : 'none yet'),
      ` · starting bid ${tokens(a.startingBid, a.token)} · status `, el('strong', { id: 'auction-status' }, a.status.toLowerCase()),
      ` · closes ${new Date(a.closesAt).toLocaleString()}`),
    el('ul', { id: 'bids' }, a.bids.map(b => el('li', {}, `${tokens(b.amount, a.token)} at ${new Date(b.at).toLocaleTimeString()}`,
      b.mine ? el('strong', {}, ' (yours)') : null, b.status === 'HELD' ? ' — highest' : b.status === 'WON' ? ' — won' : ''))));
}

export async function render(main, ctx) {
  if (!ctx.state.signedIn) return needMember(main, 'Auctions', 'auctions', 'to bid with your tokens');
  if (ctx.arg === 'auctions') return list(main, await get('/api/v1/mall/auctions'));
  const id = Number(ctx.query.get('id'));
  let a = await get(`/api/v1/mall/auctions/${id}`);
  const live = el('div', {}, bidsView(a));
  const form = el('form', { class: 'inline', id: 'bid-form' },
    el('label', { for: 'bid-amount' }, `Your bid in ${tokenName(a.token)} tokens`),
    el('input', { id: 'bid-amount', type: 'number', min: 1, required: true, value: (a.highBid || a.startingBid - 1) + 1 }),
    el('button', { type: 'submit' }, 'Place bid'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const button = form.querySelector('button');
    button.disabled = true;
    try {
      const r = await post(`/api/v1/mall/auctions/${id}/bids`, { amount: Number(form.querySelector('#bid-amount').value), bidKey: crypto.randomUUID() });
      a = r.auction;
      live.replaceChildren(bidsView(a));
      ctx.notify('You are the highest bidder: your tokens are held until you are outbid or the auction closes.');
      await refreshHeader();
    } catch (err) { ctx.notify(err.message, true); }
    button.disabled = false;
  });
  page(main, a.title, tabs('auctions'), el('p', { class: 'muted' }, `Sold by ${a.vendorName}, payable in ${tokenName(a.token)} tokens.`),
    live, a.status === 'OPEN' ? form : null);
  // live bids: poll while this view is on screen
  let seen = false;
  const timer = setInterval(async () => {
    if (!live.isConnected) { if (seen) clearInterval(timer); return; }
    seen = true;
    try { a = await get(`/api/v1/mall/auctions/${id}`); live.replaceChildren(bidsView(a)); if (a.status !== 'OPEN') form.remove(); } catch { /* next tick */ }
  }, LIVE_POLL_MS);
}
