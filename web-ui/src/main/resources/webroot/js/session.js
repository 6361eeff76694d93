// Who is signed in, and the header that shows it with the member's balances.
import { get, post, setCsrf } from './api.js';
import { el, pts } from './dom.js';

export const state = { signedIn: false, memberId: null, balances: [] };

export async function refreshSession() {
  const s = await get('/auth/session');
  state.signedIn = s.signedIn;
  state.memberId = s.memberId ?? null;
  setCsrf(s.signedIn ? s.csrfToken : null);
  await refreshHeader();
}

export async function refreshHeader() {
  const box = document.getElementById('account');
  if (!state.signedIn) {
    state.balances = [];
    box.replaceChildren(el('a', { href: '#/signin' }, 'Sign in'), el('a', { href: '#/signup' }, 'Join'));
    return;
  }
  try { state.balances = await get('/api/v1/shop/balances'); } catch { state.balances = []; }
  const mileage = state.balances.find(b => b.code === 'MILEAGE');
  const others = state.balances.filter(b => b.code !== 'MILEAGE' && b.available > 0);
  box.replaceChildren(
    el('a', { href: '#/wallet', class: 'balance', id: 'header-mileage', title: 'Mileage you can spend' },
      `Mileage ${pts(mileage ? mileage.available : 0)}`),
    ...others.map(b => el('span', { class: 'balance' }, `${b.code.replaceAll('_', ' ').toLowerCase()} ${pts(b.available)}`)),
    el('a', { href: '#/account' }, 'My account'),
    el('button', { class: 'link', type: 'button', onclick: signOut }, 'Sign out'));
}

async function signOut() {
  await post('/auth/sign-out', {});
  await refreshSession();
  location.hash = '#/shop';
}
