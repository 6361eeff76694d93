// The back office's streaming catalog: operators add items, upload their media, price and retire them.
import { call, get, post, uploadAsOperator } from '../api.js';
import { el, field, pts } from '../dom.js';

const op = { asOperator: true };
// What each kind accepts; the gateway checks the file's real signature against the item's type.
const TYPES = {
  VIDEO: ['video/webm', 'video/mp4'],
  MUSIC: ['audio/wav', 'audio/ogg', 'audio/mpeg', 'audio/webm'],
  VOICE: ['audio/wav', 'audio/ogg', 'audio/mpeg', 'audio/webm'],
  SOFTWARE: ['application/zip', 'application/gzip', 'application/octet-stream'],
  DATABASE: ['text/csv'],
};
const LIMIT_MIB = { VIDEO: 64, MUSIC: 32, VOICE: 16, SOFTWARE: 64, DATABASE: 8 };
// A price is a tariff's rate: whole points per minute, 0 (free) up to the gateway's bound.
const PRICE_MAX = 1000000000;
const PRICE_WORDS = 'a whole number of points per minute from 0 to 1,000,000,000';

function mib(bytes) { return bytes == null ? '—' : `${(bytes / 1048576).toFixed(1)} MiB`; }

function itemForm(ctx, onSaved) {
  const kind = el('select', { id: 'stream-kind' }, Object.keys(TYPES).map(k => el('option', { value: k }, k.toLowerCase())));
  const type = el('select', { id: 'stream-type' });
  const fillTypes = () => type.replaceChildren(...TYPES[kind.value].map(t => el('option', { value: t }, t)));
  kind.addEventListener('change', fillTypes);
  fillTypes();
  const form = el('form', { class: 'stack wide', id: 'stream-item-form' }, el('h3', {}, 'Add an item'),
    el('div', {}, el('label', { for: 'stream-kind' }, 'Kind'), kind),
    field('stream-title', 'Title', { required: true, maxlength: 200 }),
    field('stream-description', 'Description', { maxlength: 2000 }),
    el('div', {}, el('label', { for: 'stream-type' }, 'Content type'), type),
    el('button', { type: 'submit' }, 'Add the item'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      const item = await post('/api/v1/streams/items', { kind: kind.value, title: form.querySelector('#stream-title').value,
        description: form.querySelector('#stream-description').value, contentType: type.value }, op);
      ctx.notify(`Item ${item.id} added as a draft: upload its file to publish it.`);
      onSaved();
    } catch (err) { ctx.notify(err.message, true); }
  });
  return form;
}

function uploadCell(ctx, item, onSaved) {
  const input = el('input', { type: 'file', id: `stream-file-${item.id}`, accept: item.contentType, 'aria-label': `File for ${item.title}` });
  const button = el('button', { type: 'button', class: 'secondary', id: `stream-upload-${item.id}` }, 'Upload');
  button.addEventListener('click', async () => {
    const file = input.files[0];
    if (!file) { ctx.notify('Choose a file first.', true); return; }
    if (file.size > LIMIT_MIB[item.kind] * 1048576) { ctx.notify(`That file is over the ${LIMIT_MIB[item.kind]} MiB a ${item.kind.toLowerCase()} item takes.`, true); return; }
    button.disabled = true;
    ctx.notify(`Uploading ${file.name} (${mib(file.size)})…`);
    try {
      const updated = await uploadAsOperator(`/api/v1/streams/items/${item.id}/media`, file);
      ctx.notify(`${updated.title} is ${updated.status === 'READY' ? 'published' : updated.status.toLowerCase()}.`);
      onSaved();
    } catch (err) { ctx.notify(err.message, true); button.disabled = false; }
  });
  return el('td', {}, input, button);
}

function priceNow(item) {
  if (item.pointsPerMinute == null) return 'no price: its kind has no tariff';
  return item.priceSource === 'ITEM' ? `${pts(item.pointsPerMinute)} a minute (its own price)`
    : `${pts(item.pointsPerMinute)} a minute (its kind's tariff)`;
}

// The item's own price: set or change it (Enter or the button), or go back to its kind's tariff.
function priceCell(ctx, item, onSaved) {
  const id = `stream-price-${item.id}`;
  const error = el('span', { id: `${id}-error`, class: 'field-error', role: 'alert' });
  const now = el('span', { id: `${id}-now`, class: 'hint' }, priceNow(item));
  const input = el('input', { id, type: 'text', inputmode: 'numeric', autocomplete: 'off', class: 'price-input',
    value: item.itemPointsPerMinute == null ? '' : String(item.itemPointsPerMinute),
    'aria-label': `Own price of ${item.title}, points per minute`, 'aria-describedby': `${id}-now ${id}-error` });
  const fail = message => {
    error.textContent = message;
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    ctx.notify(message, true);
  };
  const form = el('form', { class: 'row', id: `${id}-form`, novalidate: true }, input,
    el('button', { type: 'submit', class: 'secondary', id: `${id}-set` }, 'Set price'),
    item.priceSource === 'ITEM' ? el('button', { type: 'button', class: 'secondary', id: `${id}-clear`, onclick: async () => {
      try {
        const updated = await call('DELETE', `/api/v1/streams/items/${item.id}/price`, undefined, op);
        ctx.notify(`${updated.title} is priced by its kind again: ${priceNow(updated)}.`);
        onSaved();
      } catch (err) { fail(`The price was not cleared: ${err.message}`); }
    } }, "Use the kind's price") : null,
    now, error);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const text = input.value.trim();
    if (text === '') { fail(`Enter ${PRICE_WORDS}, or use the kind's price.`); return; }
    if (!/^[0-9]+$/.test(text) || Number(text) > PRICE_MAX) { fail(`"${text}" is not a price: enter ${PRICE_WORDS}.`); return; }
    try {
      const updated = await call('PUT', `/api/v1/streams/items/${item.id}/price`, { pointsPerMinute: Number(text) }, op);
      ctx.notify(`${updated.title} now costs ${priceNow(updated)}; streams already playing keep their price.`);
      onSaved();
    } catch (err) { fail(`The price was not changed: ${err.message}`); }
  });
  return el('td', {}, form);
}

// The section, or a line saying the role cannot manage streams.
export async function streamsAdmin(ctx, onSaved) {
  let items;
  try { items = (await get('/api/v1/streams/items', op)).items; } catch { return el('section', {}, el('h2', {}, 'Streaming catalog'), el('p', {}, 'Your role cannot manage streams.')); }
  const retire = item => async () => {
    if (!confirm(`Retire ${item.title}? Members will no longer see it.`)) return;
    try { await call('PATCH', `/api/v1/streams/items/${item.id}`, { status: 'RETIRED' }, op); onSaved(); }
    catch (err) { ctx.notify(err.message, true); }
  };
  return el('section', { id: 'streams-admin' }, el('h2', {}, 'Streaming catalog'),
    el('table', {},
      el('thead', {}, el('tr', {}, ['Item', 'Kind', 'Title', 'Type', 'Size', 'Status', 'Price per minute', 'Media', '']
        .map(h => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, items.map(i => el('tr', { 'data-item': String(i.id) }, el('td', {}, `#${i.id}`), el('td', {}, i.kind.toLowerCase()),
        el('td', {}, i.title), el('td', {}, i.contentType), el('td', { class: 'num' }, mib(i.sizeBytes)),
        el('td', {}, el('span', { class: `status ${i.status}` }, i.status)),
        priceCell(ctx, i, onSaved),
        i.status === 'RETIRED' ? el('td', {}) : uploadCell(ctx, i, onSaved),
        el('td', {}, i.status === 'RETIRED' ? null : el('button', { type: 'button', class: 'secondary', id: `stream-retire-${i.id}`, onclick: retire(i) }, 'Retire')))))),
    itemForm(ctx, onSaved));
}
