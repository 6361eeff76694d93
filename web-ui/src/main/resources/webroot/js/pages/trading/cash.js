// Buying points with money and cashing them out (issue 8): the form asks the gateway for a quote, shows the
// rate, the fee and the amount, and only then offers to confirm; the confirmation carries the quoted amount,
// so a rate that moved meanwhile is refused with the new quote instead of charging something else.
import { get, post } from '../../api.js';
import { el, field, won } from '../../dom.js';

const TOKENS = {
  BUY: [['sandbox-ok', 'Test card that pays'], ['sandbox-decline', 'Test card that is declined'], ['sandbox-fail', 'Test card whose bank is down']],
  CASH_OUT: [['sandbox-ok', 'Test bank account that accepts'], ['sandbox-decline', 'Test bank account that refuses'], ['sandbox-fail', 'Test bank that is down']],
};

export function cashForm(kind, typeOptions, ctx, onDone) {
  const id = kind === 'BUY' ? 'buy' : 'cashout';
  const quoteBox = el('div', { id: `${id}-quote`, class: 'quote', 'aria-live': 'polite' });
  const confirm = el('button', { type: 'button', id: `${id}-confirm`, disabled: true }, kind === 'BUY' ? 'Confirm purchase' : 'Confirm cash-out');
  const form = el('form', { class: 'stack', id: `${id}-form` },
    el('div', {}, el('label', { for: `${id}-type` }, 'Points'), el('select', { id: `${id}-type` }, typeOptions())),
    field(`${id}-points`, kind === 'BUY' ? 'Points to buy' : 'Points to cash out', { type: 'number', min: 1, required: true }),
    el('div', {}, el('label', { for: `${id}-token` }, kind === 'BUY' ? 'Pay with' : 'Pay out to'),
      el('select', { id: `${id}-token` }, TOKENS[kind].map(([v, l]) => el('option', { value: v }, l)))),
    el('button', { type: 'submit', id: `${id}-quote-button` }, 'Show rate and fee'), quoteBox, confirm);
  const v = name => form.querySelector(`#${id}-${name}`).value;
  let quote = null;
  let key = null;
  const show = q => {
    quote = q;
    key = key || crypto.randomUUID();
    quoteBox.replaceChildren(el('dl', {},
      el('dt', {}, 'Rate'), el('dd', {}, `${won(q.cashMicrosPerUnit / 1e6)} a point`),
      el('dt', {}, 'Value'), el('dd', {}, won(q.grossWon)),
      el('dt', {}, `Fee (${q.feeBasisPoints / 100}%)`), el('dd', { id: `${id}-fee` }, won(q.feeWon)),
      el('dt', {}, kind === 'BUY' ? 'You pay' : 'You receive'), el('dd', { id: `${id}-net` }, won(q.netWon)),
      q.dailyLimitWon ? [el('dt', {}, 'Used today'), el('dd', {}, `${won(q.usedTodayWon)} of ${won(q.dailyLimitWon)}`)] : null));
    confirm.disabled = false;
  };
  const reset = () => { quote = null; key = null; confirm.disabled = true; quoteBox.replaceChildren(); };
  form.addEventListener('input', reset);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      reset();
      show(await get(`/api/v1/trading/quote?kind=${kind}&pointType=${v('type')}&points=${v('points')}`));
      confirm.focus();
    } catch (err) { ctx.notify(err.message, true); }
  });
  confirm.addEventListener('click', async () => {
    if (!quote) return;
    confirm.disabled = true;
    const body = { pointType: Number(v('type')), points: Number(v('points')), expectedWon: quote.netWon, requestKey: key };
    body[kind === 'BUY' ? 'paymentToken' : 'payoutToken'] = v('token');
    try {
      const r = await post(kind === 'BUY' ? '/api/v1/trading/purchases' : '/api/v1/trading/cash-outs', body);
      ctx.notify(kind === 'BUY' ? `Bought ${r.points} points for ${won(r.netWon)}.` : `Cashed out ${r.points} points: ${won(r.netWon)} is on its way.`);
      await onDone();
    } catch (err) {
      if (err.body && err.body.error === 'rate_changed') { show(err.body.quote); ctx.notify(`${err.message}. Check and confirm again.`, true); return; }
      ctx.notify(err.message, true);
      reset(); // a refused request is final for its key: a new quote starts a new request
    }
  });
  return form;
}
