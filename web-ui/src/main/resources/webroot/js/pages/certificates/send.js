// The gift form: choose certificates, the recipient's number, a message and an optional extra.
import { get, post } from '../../api.js';
import { el, field, page, won } from '../../dom.js';
import { needMember, tabs } from '../gifts.js';

const KIND_NAMES = { RING_TONE: 'Ring tones', BACKGROUND_MUSIC: 'Background music', THEME_CARD: 'Theme cards', CHARACTER: 'Characters' };

export async function render(main, ctx) {
  if (!ctx.state.signedIn) return needMember(main, 'Send a gift', ctx, 'to send gifts');
  const [mine, contents] = await Promise.all([get('/api/v1/certificates/mine'), get('/certificates/contents')]);
  const chosen = new Set((ctx.query.get('ids') || '').split(',').filter(Boolean));
  const giftable = mine.filter(c => c.status === 'ACTIVE' && c.balanceWon > 0);
  if (!giftable.length) {
    page(main, 'Send a gift', tabs('send'), el('p', {}, 'You have no certificate to give. ', el('a', { href: '#/gifts' }, 'Buy one'), '.'));
    return;
  }
  const certs = el('fieldset', { id: 'gift-certificates' }, el('legend', {}, 'Certificates to give'),
    giftable.map(c => el('label', {}, el('input', { type: 'checkbox', name: 'certificate', value: c.id, checked: chosen.has(String(c.id)) }),
      `${c.issuer} ${won(c.faceValueWon)} (left ${won(c.balanceWon)}) · ${c.code}`)));
  const kinds = [...new Set(contents.map(c => c.kind))];
  const extra = el('select', { id: 'extraId', name: 'extraId' }, el('option', { value: '' }, 'No extra'),
    kinds.map(k => el('optgroup', { label: KIND_NAMES[k] || k }, contents.filter(c => c.kind === k).map(c => el('option', { value: c.id }, c.name)))));
  const form = el('form', { class: 'stack wide', id: 'gift-form' }, certs,
    field('recipientPhone', "Recipient's mobile number", { type: 'tel', required: true, placeholder: '+821012345678', pattern: '\\+[1-9][0-9]{6,14}' }, 'with country code; they get a message (MMS) with yours and a link'),
    el('div', {}, el('label', { for: 'message' }, 'Message', el('span', { class: 'hint' }, ' — up to 200 characters')),
      el('textarea', { id: 'message', name: 'message', maxlength: 200, rows: 3 })),
    el('div', {}, el('label', { for: 'extraId' }, 'Add an extra (free)'), extra),
    el('button', { type: 'submit', id: 'send-gift' }, 'Send gift'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    const ids = [...form.querySelectorAll('input[name="certificate"]:checked')].map(i => Number(i.value));
    if (!ids.length) { ctx.notify('Choose at least one certificate.', true); return; }
    const button = form.querySelector('#send-gift');
    button.disabled = true;
    try {
      const r = await post('/api/v1/certificates/gifts', { certificateIds: ids, recipientPhone: form.querySelector('#recipientPhone').value.trim(),
        message: form.querySelector('#message').value, extraId: extra.value ? Number(extra.value) : null });
      ctx.notify(r.smsSent ? 'Gift sent: the recipient has a message with a link to accept it.' : 'Gift saved, but the message could not be sent just now.', !r.smsSent);
      location.hash = '#/gifts/history';
    } catch (err) { ctx.notify(err.message, true); button.disabled = false; }
  });
  page(main, 'Send a gift', tabs('send'), el('p', {}, 'Until the recipient accepts, the certificates are set aside; if they decline, you keep them.'), form);
}
