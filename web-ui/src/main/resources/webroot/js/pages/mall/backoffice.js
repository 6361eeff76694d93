// The mall's back office. Vendors sign in with their vendor key, operators with their user and password;
// both stay in this page's memory only (a reload signs out). Vendors: report, catalog, buying tokens,
// allotting them to customers, paying reimbursements, auctions. Operators: approving vendors, the mall report.
import { get, post, setOperator, operatorSignedIn } from '../../api.js';
import { setVendorKey, vendorCall, vendorSignedIn } from './vendor.js';
import { el, field, page, won } from '../../dom.js';
import { tabs, tokenName } from '../mall.js';

const op = { asOperator: true };

function reportView(r, id) {
  const t = r.tokens;
  const c = r.cash;
  const row = (label, value) => el('tr', {}, el('th', {}, label), el('td', { class: 'num' }, value));
  return el('section', { class: 'card', id, dataset: { vendor: r.vendorId } }, el('h3', {}, `${r.name} (${tokenName(r.token)}, ${won(r.rateWon)})`),
    el('table', {}, el('tbody', {},
      row('Tokens issued', t.issued), row('Available to allot', t.available), row('In circulation', t.inCirculation),
      row('Spent at home', t.spentAtHome), row('Spent at other vendors', t.spentAtOthers),
      row('Exchanged in / out', `${t.exchangedIn} / ${t.exchangedOut}`),
      row('Cash position', won(c.positionWon)), row('Card receipts', won(c.cardReceiptsWon)), row('Royalties paid', won(c.royaltiesWon)),
      row('Reimbursements owed / paid', `${won(c.reimbursementsOwedWon)} / ${won(c.reimbursementsPaidWon)}`),
      row('Reimbursements due / received', `${won(c.reimbursementsDueWon)} / ${won(c.reimbursementsReceivedWon)}`),
      row('Tolls', won(c.tollsWon)), row('Service charges', won(c.serviceChargesWon)),
      row('Token kind', KIND_NAMES[r.tokenKind] || r.tokenKind),
      // gift-certificate and auction tokens: never exchanged, so issued = available + in circulation + spent
      ...(r.extraTokens || []).map(x => el('tr', { class: 'extra-token', dataset: { kind: x.kind } }, el('th', {}, `${KIND_NAMES[x.kind]} (${tokenName(x.token)})`),
        el('td', { class: 'num' }, `issued ${x.issued}, available ${x.available}, in circulation ${x.inCirculation}, spent at home ${x.spentAtHome}, at others ${x.spentAtOthers}`))),
      row('Reconciled with the ledger', r.reconciled ? 'yes' : 'NO'))));
}

const KIND_NAMES = { STANDARD: 'Standard', MANUFACTURER: 'Manufacturer', GIFT_CERTIFICATE: 'Gift-certificate tokens', AUCTION: 'Auction tokens' };

function form(id, title, fields, submit, onSubmit, ctx) {
  const f = el('form', { class: 'stack', id }, el('h3', {}, title), ...fields, el('button', { type: 'submit' }, submit));
  f.addEventListener('submit', async e => {
    e.preventDefault();
    const v = name => f.querySelector(`#${name}`).value;
    try { await onSubmit(v); } catch (err) { ctx.notify(err.message, true); }
  });
  return f;
}

async function vendorOffice(main, ctx) {
  const me = await vendorCall('GET', '/api/v1/mall/vendor/me');
  const out = el('button', { type: 'button', class: 'secondary', onclick: () => { setVendorKey(null); render(main, ctx); } }, 'Sign out');
  if (me.status !== 'APPROVED') {
    page(main, `${me.name}: back office`, tabs('backoffice'), out, el('p', { id: 'vendor-status' }, `Status: ${me.status.toLowerCase()} — the mall operator has not approved this vendor yet.`));
    return;
  }
  const again = () => vendorOffice(main, ctx);
  const [report, customers, notes] = await Promise.all([vendorCall('GET', '/api/v1/mall/vendor/report'),
    vendorCall('GET', '/api/v1/mall/vendor/customers'), vendorCall('GET', '/api/v1/mall/vendor/notifications?limit=1')]);
  // the vendor's tokens by kind: its own, and the gift-certificate and auction tokens the operator gave it
  const kinds = [report.tokenKind, ...(report.extraTokens || []).map(x => x.kind)];
  const kindSelect = (id, allowed) => el('div', {}, el('label', { for: id }, 'Token'),
    el('select', { id }, kinds.filter(allowed).map(k => el('option', { value: k }, KIND_NAMES[k]))));
  const kindOf = k => (k === report.tokenKind ? {} : { tokenKind: k });
  const products = me.kind === 'MANUFACTURER' ? await productList(me, again, ctx) : null;
  page(main, `${me.name}: back office`, tabs('backoffice'), out,
    el('p', {}, el('a', { href: '#/mall/notifications', id: 'notifications-link' }, `Notifications (${notes.unread} unread)`)),
    reportView(report, 'vendor-report'),
    products,
    el('div', { class: 'report-grid' },
      form('issue-form', 'Buy tokens from the mall', [kindSelect('issueKind', () => true), field('issueTokens', `Tokens (${won(me.rateWon)} each)`, { type: 'number', min: 1, required: true })],
        'Buy by card', async v => {
          await vendorCall('POST', '/api/v1/mall/vendor/token-purchases', { tokens: Number(v('issueTokens')), cardToken: 'sandbox-ok', requestKey: crypto.randomUUID(), ...kindOf(v('issueKind')) });
          ctx.notify('Tokens issued.'); await again();
        }, ctx),
      form('allot-form', 'Give tokens to a customer', [
        el('div', {}, el('label', { for: 'allotMember' }, 'Customer'), el('select', { id: 'allotMember' }, customers.map(c => el('option', { value: c.memberId }, `member ${c.memberId}`)))),
        kindSelect('allotKind', () => true), field('allotTokens', 'Tokens', { type: 'number', min: 1, required: true }),
        el('div', {}, el('label', { for: 'allotReason' }, 'Reason'), el('select', { id: 'allotReason' }, el('option', { value: 'OFFLINE_PURCHASE' }, 'Bought at the counter'), el('option', { value: 'LOYALTY' }, 'Loyalty incentive')))],
        'Give tokens', async v => {
          await vendorCall('POST', '/api/v1/mall/vendor/allotments', { memberId: Number(v('allotMember')), tokens: Number(v('allotTokens')), reason: v('allotReason'), requestKey: crypto.randomUUID(), ...kindOf(v('allotKind')) });
          ctx.notify('Tokens given.'); await again();
        }, ctx),
      form('product-form', 'Add or change a product', [field('sku', 'SKU', { required: true, pattern: '[A-Za-z0-9][A-Za-z0-9._-]{0,31}' }), field('pname', 'Name', { required: true }),
        field('price', `Price in ${tokenName(me.tokenCode)} tokens`, { type: 'number', min: 1, required: true })],
        'Save product', async v => {
          await vendorCall('PUT', `/api/v1/mall/vendor/products/${encodeURIComponent(v('sku'))}`, { name: v('pname'), priceTokens: Number(v('price')) });
          ctx.notify('Product saved.'); await again();
        }, ctx),
      form('auction-form', 'Open an auction', [field('atitle', 'Lot', { required: true }),
        kindSelect('auctionKind', k => k === report.tokenKind || k === 'AUCTION'), field('astart', 'Starting bid (tokens)', { type: 'number', min: 1, required: true }),
        field('aminutes', 'Minutes until it closes', { type: 'number', min: 1, required: true, value: 60 })],
        'Open auction', async v => {
          const a = await vendorCall('POST', '/api/v1/mall/vendor/auctions', { title: v('atitle'), startingBid: Number(v('astart')), durationSeconds: Number(v('aminutes')) * 60, requestKey: crypto.randomUUID(), ...kindOf(v('auctionKind')) });
          ctx.notify(`Auction ${a.id} is open.`); await again();
        }, ctx),
      form('pay-form', 'Pay owed reimbursements', [el('p', {}, `Owed now: ${won(report.cash.reimbursementsOwedWon)} (plus a toll per payment)`)],
        'Pay', async () => {
          const r = await vendorCall('POST', '/api/v1/mall/vendor/reimbursements/pay');
          ctx.notify(`Paid ${r.paid} reimbursement(s), ${won(r.paidWon)}.`); await again();
        }, ctx)));
}

// A manufacturer's product list: the products ("<vendor id>:<sku>") its token pays for, changed from now on.
async function productList(me, again, ctx) {
  const list = await vendorCall('GET', `/api/v1/mall/vendors/${me.id}/allowed-products`);
  const change = async (body, done) => {
    try {
      await vendorCall('POST', `/api/v1/mall/vendors/${me.id}/allowed-product-changes`, { ...body, requestKey: crypto.randomUUID() });
      await again();
      ctx.notify(done);
    } catch (err) {
      ctx.notify(`${err.message}${err.body.products ? ` (${err.body.products.join(', ')})` : ''}`, true);
    }
  };
  const last = list.changes[0];
  return el('section', { class: 'card', id: 'product-list' }, el('h3', {}, 'Products your token pays for'),
    el('ul', { id: 'allowed-products' }, list.allowedProducts.map(p => el('li', { dataset: { product: p } }, p, ' ',
      el('button', { type: 'button', class: 'secondary remove-product', 'aria-label': `Remove ${p}`, onclick: () => change({ remove: [p] }, `${p} removed: your tokens no longer pay for it.`) }, 'Remove')))),
    form('add-product-form', 'Add a product', [field('addProduct', 'Product', { required: true, pattern: '[1-9][0-9]{0,17}:[A-Za-z0-9][A-Za-z0-9._-]{0,31}' }, 'vendor id, a colon, the SKU: 12:A1')],
      'Add', v => change({ add: [v('addProduct').trim()] }, `${v('addProduct').trim()} added.`), ctx),
    last ? el('p', { class: 'muted', id: 'last-change' }, `Last change ${new Date(last.at).toLocaleString('en-GB', { timeZone: 'UTC' })} UTC by ${last.changedBy}:`
      + ` added ${last.added.join(', ') || 'nothing'}, removed ${last.removed.join(', ') || 'nothing'}.`) : null);
}

async function operatorOffice(main, ctx) {
  const [vendors, report] = await Promise.all([get('/api/v1/mall/admin/vendors', op), get('/api/v1/mall/admin/report', op)]);
  const t = report.totals;
  page(main, 'Mall operator office', tabs('backoffice'),
    el('button', { type: 'button', class: 'secondary', onclick: () => { setOperator(null); render(main, ctx); } }, 'Sign out'),
    el('h2', {}, 'Vendors'), el('table', { id: 'admin-vendors' }, el('thead', {}, el('tr', {}, ['Vendor', 'Kind', 'Token', 'Rate', 'Status', ''].map(h => el('th', {}, h)))),
      el('tbody', {}, vendors.map(v => el('tr', {}, el('td', {}, v.name), el('td', {}, v.kind), el('td', {}, tokenName(v.tokenCode)), el('td', {}, won(v.rateWon)),
        el('td', {}, v.status.toLowerCase()), el('td', {}, v.status === 'PENDING' ? el('button', { type: 'button', onclick: async () => {
          try { await post(`/api/v1/mall/admin/vendors/${v.id}/approve`, {}, op); ctx.notify(`${v.name} approved.`); await operatorOffice(main, ctx); }
          catch (err) { ctx.notify(err.message, true); }
        } }, 'Approve') : ['GIFT_CERTIFICATE', 'AUCTION'].map(kind => el('button', { type: 'button', class: 'secondary add-token', dataset: { vendor: v.id, kind }, onclick: async () => {
          try { await post(`/api/v1/mall/admin/vendors/${v.id}/tokens`, { kind }, op); ctx.notify(`${v.name}: ${KIND_NAMES[kind].toLowerCase()} added.`); await operatorOffice(main, ctx); }
          catch (err) { ctx.notify(err.message, true); }
        } }, `Add ${KIND_NAMES[kind].toLowerCase()}`))))))),
    el('h2', {}, 'Settlement'),
    el('p', {}, 'Reimbursements owed longer than the settlement delay are paid by the schedule, with their toll, as far as the payer\'s cash covers.'),
    el('button', { type: 'button', id: 'run-settlement', onclick: async () => {
      try {
        const r = await post('/api/v1/mall/admin/settlement-runs', {}, op);
        const short = r.payers.reduce((n, p) => n + p.shortCount, 0);
        await operatorOffice(main, ctx);
        ctx.notify(`Settlement run: paid ${r.paid} reimbursement(s), ${won(r.paidWon)} plus ${won(r.tollsWon)} tolls; ${short} not covered.`);
      } catch (err) { ctx.notify(`Settlement run failed: ${err.message}`, true); }
    } }, 'Run settlement now'),
    el('h2', {}, 'Mall report'),
    el('p', { id: 'mall-totals' }, `Issued ${t.issued} tokens, ${t.inCirculation} in circulation; card receipts ${won(t.cardReceiptsWon)}; royalties ${won(t.royaltiesWon)};`
      + ` tolls ${won(t.tollsWon)}; service charges ${won(t.serviceChargesWon)}; reimbursements owed ${won(t.reimbursementsOwedWon)}, paid ${won(t.reimbursementsPaidWon)}.`
      + ` Reconciled with the ledger: ${report.reconciled ? 'yes' : 'NO'}.`),
    el('div', { class: 'report-grid' }, report.vendors.map(r => reportView(r, `report-${r.vendorId}`))));
}

export async function render(main, ctx) {
  if (vendorSignedIn()) return vendorOffice(main, ctx);
  if (operatorSignedIn()) {
    try { return await operatorOffice(main, ctx); } catch (err) { if (err.status !== 403) throw err; ctx.notify('This account is not a mall operator.', true); setOperator(null); }
  }
  const vendorForm = form('vendor-key-form', 'Vendors', [field('vendorKey', 'Vendor key', { type: 'password', required: true, autocomplete: 'off' }, 'shown once when you applied')],
    'Sign in as vendor', async v => {
      setVendorKey(v('vendorKey'));
      try { await vendorOffice(main, ctx); } catch (err) { setVendorKey(null); throw err; }
    }, ctx);
  const operatorForm = form('mall-operator-form', 'Mall operators', [field('mopUser', 'Operator user', { required: true, autocomplete: 'username' }),
    field('mopPassword', 'Password', { type: 'password', required: true, autocomplete: 'current-password' })],
    'Sign in as operator', async v => {
      setOperator(v('mopUser'), v('mopPassword'));
      try { await operatorOffice(main, ctx); } catch (err) { setOperator(null); throw err; }
    }, ctx);
  const apply = ctx.state.signedIn ? form('apply-form', 'Open a vendor in the mall', [field('vname', 'Vendor name', { required: true }),
    field('vcode', 'Token code', { required: true, pattern: '[A-Z][A-Z0-9]{1,19}' }, 'upper-case letters and digits'),
    field('vrate', 'Token rate (won per token)', { type: 'number', min: 1, required: true })],
    'Apply', async v => {
      const r = await post('/api/v1/mall/vendor-applications', { name: v('vname'), kind: 'SHOP', tokenCode: v('vcode'), rateWon: Number(v('vrate')) });
      ctx.notify(`Applied. Keep your vendor key, it is shown only now: ${r.apiKey}`);
    }, ctx) : null;
  page(main, 'Mall back office', tabs('backoffice'), el('div', { class: 'report-grid' }, vendorForm, operatorForm, apply));
}
