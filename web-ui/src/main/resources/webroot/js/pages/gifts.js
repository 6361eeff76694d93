// Gift certificates (issue 10): #/gifts[/view]. The catalog and purchase live here; the other views
// (mine, history, send, claim, guide, pos) are modules in ./certificates/.
import { get, post } from '../api.js';
import { el, page, won } from '../dom.js';
import { refreshHeader } from '../session.js';
import { transferOrder } from './certificates/order.js';

const VIEWS = { mine: 'mine', history: 'history', send: 'send', claim: 'claim', guide: 'guide', pos: 'pos', admin: 'admin' };
export const CATEGORY_NAMES = { DEPARTMENT_STORE: 'Department stores', BOOKS: 'Books', CULTURE: 'Culture', GENERAL: 'Mileage general-use', TICKETS: 'Tickets' };

function styles() {
  if (document.getElementById('certificates-css')) return;
  document.head.append(el('link', { rel: 'stylesheet', href: 'css/certificates.css', id: 'certificates-css' }));
}

export function tabs(current) {
  const items = [['', 'Buy'], ['mine', 'My certificates'], ['send', 'Send a gift'], ['history', 'History'], ['guide', 'How to use'], ['pos', 'Store POS'], ['admin', 'Operators']];
  return el('nav', { 'aria-label': 'Gift certificates' }, el('ul', { class: 'cert-tabs' }, items.map(([v, label]) =>
    el('li', {}, el('a', { href: v ? `#/gifts/${v}` : '#/gifts', 'aria-current': v === current ? 'page' : null }, label)))));
}

export function needMember(main, title, ctx, what) {
  page(main, title, tabs(ctx.arg || ''), el('p', {}, `Gift certificates are for members. `,
    el('a', { href: '#/signin' }, 'Sign in'), ' or ', el('a', { href: '#/signup' }, 'join Mileage'), ` ${what}.`));
}

export async function render(main, ctx) {
  styles();
  if (VIEWS[ctx.arg]) {
    const view = await import(`./certificates/${VIEWS[ctx.arg]}.js`);
    return view.render(main, ctx);
  }
  return catalog(main, ctx);
}

async function catalog(main, ctx) {
  const data = await get('/certificates/catalog');
  const category = ctx.query.get('category') || data.categories[0];
  const items = data.items.filter(i => i.category === category);
  const issuers = [...new Set(items.map(i => i.issuer))];
  const cats = el('ul', { class: 'kinds' }, data.categories.map(c => el('li', {}, el('a', {
    href: `#/gifts?category=${c}`, 'aria-current': c === category ? 'true' : null }, CATEGORY_NAMES[c] || c))));
  const itemSelect = el('select', { id: 'item', name: 'item', required: true }, items.map(i =>
    el('option', { value: i.id }, `${i.issuer} — ${won(i.faceValueWon)}`)));
  const describe = el('p', { class: 'muted', id: 'item-description' });
  const total = el('p', { class: 'price', id: 'total', 'aria-live': 'polite' });
  const sheets = el('input', { id: 'sheets', name: 'sheets', type: 'number', min: 1, max: 20, value: 1, required: true });
  const card = el('select', { id: 'cardToken', name: 'cardToken' },
    el('option', { value: 'sandbox-ok' }, 'Sandbox card •••• 4242 (approves)'),
    el('option', { value: 'sandbox-decline' }, 'Sandbox card •••• 0002 (declines)'));
  const cardBox = el('div', { hidden: true }, el('label', { for: 'cardToken' }, 'Card'), card);
  const settlement = el('fieldset', {}, el('legend', {}, 'Pay by'),
    el('label', {}, el('input', { type: 'radio', name: 'settlement', value: 'PHONE_BILL', checked: true, id: 'pay-phone' }), 'Add to my phone bill'),
    el('label', {}, el('input', { type: 'radio', name: 'settlement', value: 'CARD', id: 'pay-card' }), 'Credit card'),
    el('label', {}, el('input', { type: 'radio', name: 'settlement', value: 'BANK_TRANSFER', id: 'pay-bank' }), 'Bank transfer (to a virtual account)'));
  const update = () => {
    const item = items.find(i => String(i.id) === itemSelect.value);
    describe.textContent = item ? item.description : '';
    total.textContent = item ? `Total ${won(item.faceValueWon * Math.max(1, Number(sheets.value) || 1))}` : '';
    cardBox.hidden = !settlement.querySelector('#pay-card').checked;
  };
  [itemSelect, sheets, settlement].forEach(x => x.addEventListener('change', update));
  sheets.addEventListener('input', update);
  const result = el('div', { id: 'purchase-result', 'aria-live': 'polite' });
  const form = el('form', { class: 'stack', id: 'buy-form' },
    el('div', {}, el('label', { for: 'item' }, 'Issuer and face value'), itemSelect), describe,
    el('div', {}, el('label', { for: 'sheets' }, 'Number of sheets', el('span', { class: 'hint' }, ' — up to 20')), sheets),
    settlement, cardBox, total, el('button', { type: 'submit', id: 'buy' }, 'Buy'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    if (!ctx.state.signedIn) { ctx.notify('Gift certificates are for members: sign in or join first.', true); location.hash = '#/signup'; return; }
    const button = form.querySelector('#buy');
    button.disabled = true;
    const pay = form.querySelector('input[name="settlement"]:checked').value;
    try {
      const p = await post('/api/v1/certificates/purchases', { requestKey: crypto.randomUUID(), itemId: Number(itemSelect.value),
        sheets: Number(sheets.value), settlement: pay, cardToken: pay === 'CARD' ? card.value : null });
      if (p.status === 'AWAITING_DEPOSIT') {
        ctx.notify(`Order ${p.id} opened: transfer ${won(p.totalWon)} to the account below by the deadline.`);
        result.replaceChildren(transferOrder(p, ctx));
        result.scrollIntoView({ block: 'start' });
        return;
      }
      ctx.notify(`Issued ${p.sheets} certificate(s): ${won(p.totalWon)} ${pay === 'CARD' ? 'charged to your card' : 'added to your phone bill'}. We sent you a message with the barcodes.`);
      result.replaceChildren(issued(p));
      refreshHeader();
    } catch (err) {
      ctx.notify(err.status === 401 ? 'Please sign in to buy.' : err.message, true);
      result.replaceChildren();
    } finally { button.disabled = false; }
  });
  update();
  page(main, 'Gift certificates', tabs(''),
    ctx.state.signedIn ? null : el('p', { class: 'notice' }, 'Browse freely; to buy, ', el('a', { href: '#/signin' }, 'sign in'), ' or ', el('a', { href: '#/signup' }, 'join'), '.'),
    cats, items.length ? form : el('p', {}, 'Nothing in this category right now.'), result,
    issuers.length ? el('p', { class: 'muted' }, `Issuers here: ${issuers.join(', ')}.`) : null);
}

function issued(p) {
  return el('section', { class: 'issued', id: 'issued' },
    el('h2', {}, `Purchase ${p.id}: ${p.sheets} × ${p.issuer} ${won(p.faceValueWon)}`),
    el('p', {}, 'Note the PINs now: for your safety we keep only a scrambled copy and cannot show them again (you can set a new one in My certificates).'),
    el('table', {}, el('thead', {}, el('tr', {}, el('th', {}, 'Code'), el('th', {}, 'PIN'))),
      el('tbody', {}, p.certificates.map(c => el('tr', {}, el('td', { class: 'code' }, c.code), el('td', {}, c.pin ? el('span', { class: 'pin' }, c.pin) : '(shown earlier)'))))),
    el('p', {}, el('a', { href: '#/gifts/mine' }, 'Show my certificates'), ' · ', el('a', { href: '#/gifts/send' }, 'Send one as a gift')));
}
