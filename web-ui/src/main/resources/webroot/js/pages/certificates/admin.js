// Operators: the certificate catalog (add, withdraw, re-offer), the stores with POS keys, and bank-transfer
// deposits owed back to their payers: sent through the bank provider by the gateway; a FAILED one is sent again
// or, the fallback, confirmed returned by other means with the bank's reference.
// Uses the back office's operator sign-in (HTTP Basic kept in page memory only).
import { call, get, post, setOperator, operatorSignedIn } from '../../api.js';
import { el, field, page, won } from '../../dom.js';
import { CATEGORY_NAMES, tabs } from '../gifts.js';

const op = { asOperator: true };
/** Why a deposit return is FAILED, in the operator's words. */
const FAILURES = { REFUSED: 'refused', UNREACHABLE: 'no answer', UNKNOWN_TO_PROVIDER: 'unknown to the bank provider' };

function signIn(main, ctx) {
  const form = el('form', { class: 'stack', id: 'cert-operator-form' },
    field('opUser', 'Operator user', { required: true, autocomplete: 'username' }),
    field('opPassword', 'Password', { type: 'password', required: true, autocomplete: 'current-password' }),
    el('button', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    setOperator(form.querySelector('#opUser').value, form.querySelector('#opPassword').value);
    try { await get('/api/v1/certificates/admin/items', op); render(main, ctx); }
    catch (err) { setOperator(null); ctx.notify(err.status === 403 ? 'This account is not an operator.' : err.message, true); }
  });
  page(main, 'Certificates back office', tabs('admin'), form);
}

export async function render(main, ctx) {
  if (!operatorSignedIn()) return signIn(main, ctx);
  const [items, stores, owed, open, sent] = await Promise.all([get('/api/v1/certificates/admin/items', op), get('/api/v1/certificates/admin/stores', op),
    get('/api/v1/certificates/admin/deposit-returns?status=FAILED&limit=50', op),
    get('/api/v1/certificates/admin/deposit-returns?status=OWED&limit=50', op),
    get('/api/v1/certificates/admin/deposit-returns?status=SENT&limit=50', op)]);
  const redraw = () => render(main, ctx);
  const itemForm = el('form', { class: 'stack', id: 'item-form' }, el('h2', {}, 'Add a certificate'),
    el('div', {}, el('label', { for: 'category' }, 'Category'), el('select', { id: 'category' },
      Object.entries(CATEGORY_NAMES).map(([k, v]) => el('option', { value: k }, v)))),
    field('issuer', 'Issuer', { required: true, maxlength: 80 }),
    field('faceValueWon', 'Face value (won)', { type: 'number', min: 1, max: 1000000, required: true }),
    field('description', 'Where it can be used', { maxlength: 300 }),
    el('button', { type: 'submit' }, 'Add'));
  itemForm.addEventListener('submit', async e => {
    e.preventDefault();
    const v = id => itemForm.querySelector(`#${id}`).value;
    try {
      await post('/api/v1/certificates/admin/items', { category: v('category'), issuer: v('issuer'), faceValueWon: Number(v('faceValueWon')), description: v('description') }, op);
      ctx.notify('Added to the catalog.');
      redraw();
    } catch (err) { ctx.notify(err.message, true); }
  });
  const itemRows = items.map(i => el('tr', {}, el('td', {}, CATEGORY_NAMES[i.category] || i.category), el('td', {}, i.issuer),
    el('td', { class: 'num' }, won(i.faceValueWon)), el('td', {}, i.active ? 'offered' : 'withdrawn'),
    el('td', {}, el('button', { type: 'button', class: 'secondary', onclick: async () => {
      try { await call('PATCH', `/api/v1/certificates/admin/items/${i.id}`, { active: !i.active }, op); redraw(); } catch (err) { ctx.notify(err.message, true); }
    } }, i.active ? 'Withdraw' : 'Offer again'))));
  const keyBox = el('div', { id: 'new-store-key', 'aria-live': 'polite' });
  const storeForm = el('form', { class: 'stack', id: 'store-form' }, el('h2', {}, 'Register a store'),
    field('storeName', 'Store name', { required: true, maxlength: 100 }), field('chain', 'Chain', { required: true, maxlength: 100 }),
    el('button', { type: 'submit' }, 'Register and issue a POS key'));
  storeForm.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      const s = await post('/api/v1/certificates/admin/stores', { name: storeForm.querySelector('#storeName').value, chain: storeForm.querySelector('#chain').value }, op);
      keyBox.replaceChildren(el('p', {}, `POS key for ${s.name} (shown this once; give it to the store): `, el('code', { class: 'pin' }, s.apiKey)));
      storeForm.reset();
    } catch (err) { ctx.notify(err.message, true); }
  });
  const storeRows = stores.map(s => el('tr', {}, el('td', {}, s.id), el('td', {}, s.name), el('td', {}, s.chain), el('td', {}, s.active ? 'active' : 'suspended'),
    el('td', {}, el('button', { type: 'button', class: 'secondary', onclick: async () => {
      try { await call('PATCH', `/api/v1/certificates/admin/stores/${s.id}`, { active: !s.active }, op); redraw(); } catch (err) { ctx.notify(err.message, true); }
    } }, s.active ? 'Suspend' : 'Reinstate'))));
  const returnRows = owed.returns.map(r => {
    const ref = el('input', { id: `return-ref-${r.id}`, 'aria-label': `Bank return reference for return ${r.id}`, maxlength: 64, size: 18 });
    const retry = el('button', { type: 'button', id: `return-retry-${r.id}`, onclick: async () => {
      try {
        await post(`/api/v1/certificates/admin/deposit-returns/${r.id}/retry`, {}, op);
        ctx.notify(`Return ${r.id} is being sent to the bank again.`);
        redraw();
      } catch (err) { ctx.notify(err.message, true); }
    } }, 'Send again');
    const confirm = el('button', { type: 'button', class: 'secondary', id: `return-confirm-${r.id}`, onclick: async () => {
      try {
        await post(`/api/v1/certificates/admin/deposit-returns/${r.id}/confirm`, { returnReference: ref.value.trim() }, op);
        ctx.notify(`Return ${r.id} confirmed: ${won(r.amountWon)} went back to ${r.payerAccount || 'the payer'}.`);
        redraw();
      } catch (err) { ctx.notify(err.message, true); }
    } }, 'Confirm returned by hand');
    return el('tr', {}, el('td', {}, r.id), el('td', {}, new Date(r.receivedAt).toLocaleString()), el('td', { class: 'num' }, won(r.amountWon)),
      el('td', {}, r.reason.toLowerCase().replace('_', ' ')), el('td', {}, r.purchaseId ?? 'none'), el('td', { class: 'code' }, r.payerAccount),
      el('td', {}, `${FAILURES[r.failure] || r.failure}: ${r.failureReason}`),
      el('td', {}, retry, ' ', ref, ' ', confirm));
  });
  const inFlight = [...open.returns, ...sent.returns].map(r => el('tr', {}, el('td', {}, r.id), el('td', { class: 'num' }, won(r.amountWon)),
    el('td', {}, r.status === 'SENT' ? `sent ${new Date(r.sentAt).toLocaleString()}, bank reference ${r.returnReference}`
      : `to be sent${r.attempts ? ` (${r.attempts} unanswered, next ${new Date(r.nextAttemptAt).toLocaleString()}: ${r.lastError})` : ''}`)));
  page(main, 'Certificates back office', tabs('admin'),
    el('h2', {}, 'Deposit returns the bank did not take'),
    returnRows.length ? el('table', { id: 'admin-returns' }, el('thead', {}, el('tr', {}, ['Id', 'Received', 'Amount', 'Why', 'Order', 'Payer account', 'Failure', 'Action'].map(h => el('th', {}, h)))), el('tbody', {}, returnRows))
      : el('p', { id: 'admin-returns' }, 'No deposit return is held up.'),
    owed.next ? el('p', { class: 'muted' }, 'More have failed than shown: settle these first, or page through the API.') : null,
    el('h3', {}, 'Being returned by the bank provider'),
    inFlight.length ? el('table', { id: 'admin-returns-open' }, el('thead', {}, el('tr', {}, ['Id', 'Amount', 'State'].map(h => el('th', {}, h)))), el('tbody', {}, inFlight))
      : el('p', { id: 'admin-returns-open' }, 'None under way.'),
    el('h2', {}, 'Catalog'), el('table', { id: 'admin-items' }, el('thead', {}, el('tr', {}, ['Category', 'Issuer', 'Face value', 'State', ''].map(h => el('th', {}, h)))), el('tbody', {}, itemRows)),
    itemForm, el('h2', {}, 'Stores'),
    stores.length ? el('table', { id: 'admin-stores' }, el('thead', {}, el('tr', {}, ['Id', 'Store', 'Chain', 'State', ''].map(h => el('th', {}, h)))), el('tbody', {}, storeRows)) : el('p', {}, 'No stores yet.'),
    storeForm, keyBox);
}
