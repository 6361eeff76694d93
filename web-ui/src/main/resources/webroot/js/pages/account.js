// Joining, verifying the phone, signing in, and the member's own details, phone number and password.
import { get, post, call } from '../api.js';
import { el, field, page, pts } from '../dom.js';
import { refreshSession } from '../session.js';

function busy(form, on) { form.querySelectorAll('button').forEach(b => { b.disabled = on; }); }

function signUp(main, ctx) {
  const form = el('form', { class: 'stack', id: 'signup-form' },
    field('loginId', 'Login id', { required: true, autocomplete: 'username', minlength: 3, maxlength: 32 }, '3 to 32 letters, digits, . - _'),
    field('password', 'Password', { type: 'password', required: true, autocomplete: 'new-password', minlength: 10, maxlength: 128 }, 'at least 10 characters'),
    field('name', 'Name', { required: true, autocomplete: 'name', maxlength: 100 }),
    field('phone', 'Mobile number', { type: 'tel', required: true, autocomplete: 'tel', placeholder: '+821012345678', pattern: '\\+[1-9][0-9]{6,14}' }, 'with country code; we send a code by SMS'),
    field('address', 'Delivery address', { required: true, autocomplete: 'street-address', maxlength: 300 }),
    field('occupation', 'Occupation (optional)', { maxlength: 100 }),
    el('button', { type: 'submit' }, 'Join and get a code'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    busy(form, true);
    const v = id => form.querySelector(`#${id}`).value;
    try {
      const r = await post('/auth/sign-up', { loginId: v('loginId'), password: v('password'), name: v('name'),
        phone: v('phone'), address: v('address'), occupation: v('occupation') || null });
      ctx.go(`#/verify?login=${encodeURIComponent(v('loginId'))}`, r.codeSent ? `Welcome! We sent a code to ${v('phone')}. Verify it to receive ${pts(r.signUpBonusMileage)} mileage.`
        : 'Welcome! The SMS could not be sent just now; ask for a new code below.', !r.codeSent);
    } catch (err) { ctx.notify(err.message, true); busy(form, false); }
  });
  page(main, 'Join Mileage', el('p', {}, 'Members earn mileage on every purchase and spend it on calls and streams. You get a sign-up bonus once your phone number is verified.'), form);
}

function verify(main, ctx) {
  const login = ctx.query.get('login') || '';
  const form = el('form', { class: 'stack', id: 'verify-form' },
    field('loginId', 'Login id', { required: true, value: login, autocomplete: 'username' }),
    field('code', 'Code from the SMS', { required: true, inputmode: 'numeric', pattern: '[0-9]{6}', maxlength: 6, autocomplete: 'one-time-code' }),
    el('div', { class: 'row' }, el('button', { type: 'submit' }, 'Verify'),
      el('button', { type: 'button', class: 'secondary', id: 'resend', onclick: async () => {
        try { await post('/auth/resend-code', { loginId: form.querySelector('#loginId').value }); ctx.notify('A new code is on its way.'); } catch (err) { ctx.notify(err.message, true); }
      } }, 'Send a new code')));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    busy(form, true);
    try {
      const r = await post('/auth/verify-phone', { loginId: form.querySelector('#loginId').value, code: form.querySelector('#code').value });
      ctx.go(`#/signin?login=${encodeURIComponent(form.querySelector('#loginId').value)}`, r.bonusMileage ? `Phone verified: ${pts(r.bonusMileage)} sign-up bonus credited. Sign in to use it.` : 'Phone verified. Sign in.');
    } catch (err) { ctx.notify(err.message, true); busy(form, false); }
  });
  page(main, 'Verify your phone', form);
}

function signIn(main, ctx) {
  const form = el('form', { class: 'stack', id: 'signin-form' },
    field('loginId', 'Login id', { required: true, value: ctx.query.get('login') || '', autocomplete: 'username' }),
    field('password', 'Password', { type: 'password', required: true, autocomplete: 'current-password' }),
    el('button', { type: 'submit' }, 'Sign in'));
  form.addEventListener('submit', async e => {
    e.preventDefault();
    busy(form, true);
    try {
      await post('/auth/sign-in', { loginId: form.querySelector('#loginId').value, password: form.querySelector('#password').value });
      await refreshSession();
      ctx.go('#/shop', 'Signed in.');
    } catch (err) { ctx.notify(err.message, true); busy(form, false); }
  });
  page(main, 'Sign in', form, el('p', {}, 'New here? ', el('a', { href: '#/signup' }, 'Join'), ' · ', el('a', { href: '#/verify' }, 'Verify a phone code')));
}

async function account(main, ctx) {
  if (!ctx.state.signedIn) { signIn(main, ctx); return; }
  const me = await get('/api/v1/members/me');
  const details = el('form', { class: 'stack', id: 'profile-form' },
    el('h2', {}, 'Details'),
    el('p', {}, `Login id: ${me.loginId} · phone ${me.phone} ${me.phoneVerified ? '(verified)' : '(not verified)'}`),
    field('name', 'Name', { value: me.name, required: true, maxlength: 100 }),
    field('address', 'Delivery address', { value: me.address, required: true, maxlength: 300 }),
    field('occupation', 'Occupation', { value: me.occupation || '', maxlength: 100 }),
    el('button', { type: 'submit' }, 'Save'));
  details.addEventListener('submit', async e => {
    e.preventDefault();
    const v = id => details.querySelector(`#${id}`).value;
    try { await call('PATCH', '/api/v1/members/me', { name: v('name'), address: v('address'), occupation: v('occupation') }); ctx.notify('Saved.'); }
    catch (err) { ctx.notify(err.message, true); }
  });
  const password = el('form', { class: 'stack', id: 'password-form' },
    el('h2', {}, 'Password'),
    field('currentPassword', 'Current password', { type: 'password', required: true, autocomplete: 'current-password' }),
    field('newPassword', 'New password', { type: 'password', required: true, minlength: 10, autocomplete: 'new-password' }, 'at least 10 characters; other devices are signed out'),
    el('button', { type: 'submit' }, 'Change password'));
  password.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      await post('/api/v1/members/me/password', { currentPassword: password.querySelector('#currentPassword').value, newPassword: password.querySelector('#newPassword').value });
      password.reset();
      ctx.notify('Password changed. Your other sessions were signed out.');
    } catch (err) { ctx.notify(err.message, true); }
  });
  // a new number: the password again, then the code the new number receives; the number changes only then
  const phone = el('form', { class: 'stack', id: 'phone-change-form' },
    el('h2', {}, 'Phone number'),
    field('newPhone', 'New phone number', { type: 'tel', required: true, autocomplete: 'tel', pattern: '\\+[1-9][0-9]{6,14}', maxlength: 16 }, 'with the country code, e.g. +821012345678'),
    field('phonePassword', 'Password', { type: 'password', required: true, autocomplete: 'current-password' }),
    el('button', { type: 'submit' }, 'Send a code to the new number'));
  const confirm = el('form', { class: 'stack', id: 'phone-code-form', hidden: true },
    field('phoneCode', 'Code from the SMS', { required: true, inputmode: 'numeric', pattern: '[0-9]{6}', maxlength: 6, autocomplete: 'one-time-code' }),
    el('button', { type: 'submit' }, 'Change my number'));
  phone.addEventListener('submit', async e => {
    e.preventDefault();
    busy(phone, true);
    try {
      const r = await post('/api/v1/members/me/phone', { phone: phone.querySelector('#newPhone').value.replace(/[\s-]/g, ''), password: phone.querySelector('#phonePassword').value });
      phone.querySelector('#phonePassword').value = '';
      confirm.hidden = false;
      confirm.querySelector('#phoneCode').focus();
      ctx.notify(`A code was sent to ${r.phone}.`);
    } catch (err) { ctx.notify(err.message, true); }
    busy(phone, false);
  });
  confirm.addEventListener('submit', async e => {
    e.preventDefault();
    try {
      const me2 = await post('/api/v1/members/me/phone/verify', { code: confirm.querySelector('#phoneCode').value });
      confirm.reset();
      confirm.hidden = true;
      phone.reset();
      details.querySelector('p').textContent = `Login id: ${me2.loginId} · phone ${me2.phone} (verified)`;
      ctx.notify(`Your phone number is now ${me2.phone}.`);
    } catch (err) { ctx.notify(err.message, true); }
  });
  page(main, 'My account', details, phone, confirm, password);
}

export async function render(main, ctx) {
  if (ctx.name === 'signup') return signUp(main, ctx);
  if (ctx.name === 'verify') return verify(main, ctx);
  if (ctx.name === 'signin') return signIn(main, ctx);
  return account(main, ctx);
}
