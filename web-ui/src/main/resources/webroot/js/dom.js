// Building DOM from data without innerHTML: text is always text, never markup.
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') node.addEventListener(k.slice(2), v);
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return node;
}

export const won = n => `₩${Number(n).toLocaleString('en-US')}`;
export const pts = n => `${Number(n).toLocaleString('en-US')} pts`;

export function field(id, label, attrs = {}, hint) {
  return el('div', {}, el('label', { for: id }, label, hint ? el('span', { class: 'hint' }, ` — ${hint}`) : null),
    el('input', { id, name: id, ...attrs }));
}

// The page's one heading gets focus on navigation so screen readers announce the new page.
export function page(main, title, ...children) {
  // null children (optional parts) are skipped, as el() does: replaceChildren would print them as "null"
  main.replaceChildren(el('h1', { tabindex: '-1' }, title), ...children.filter(c => c !== null && c !== undefined && c !== false));
  document.title = `${title} — Mileage`;
  if (main.isConnected) main.querySelector('h1').focus();
}
