// The signed-in vendor of the mall's back office: its key stays in this module's memory only (a reload signs
// out), shared by the back office and the notifications page. Every call sends it as X-Vendor-Key, no cookies.
import { ApiError } from '../../api.js';

let vendorKey = null;

export const vendorSignedIn = () => vendorKey !== null;
export function setVendorKey(key) { vendorKey = key ? key.trim() : null; }

export async function vendorCall(method, path, body) {
  const headers = { Accept: 'application/json', 'X-Vendor-Key': vendorKey };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'omit' });
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { reason: text }; }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}
