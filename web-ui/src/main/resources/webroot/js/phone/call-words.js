// What a call's end means, in words a shopper understands. SIP status codes from the gateway (RFC 3261)
// and JsSIP's causes map to one sentence each; nothing technical is shown alone.
export const REASONS = {
  402: 'Not enough mileage for this call.',
  403: 'This number cannot be called.',
  404: 'This number does not exist.',
  480: 'The other side is not available right now.',
  484: 'This number is incomplete or not valid. Use the international format, e.g. +82 10 1234 5678.',
  486: 'The line is busy.',
  487: 'Call cancelled.',
  488: 'Your browser\'s audio setup was refused by the gateway.',
  503: 'The phone service is temporarily unavailable. Please try again shortly.',
};

export function endedInWords(e) {
  const code = e && e.message && e.message.status_code;
  if (code && REASONS[code]) return REASONS[code];
  const cause = e && e.cause;
  switch (cause) {
    case 'Terminated': case 'BYE': return 'Call ended.';
    case 'Canceled': return 'Call cancelled.';
    case 'Busy': return REASONS[486];
    case 'Unavailable': case 'Request Timeout': case 'No Answer': return 'No answer.';
    case 'Not Found': return REASONS[404];
    case 'Address Incomplete': return REASONS[484];
    case 'Rejected': return 'The call was rejected.';
    case 'User Denied Media Access': return 'Microphone access was blocked. Allow the microphone for this site and try again.';
    case 'Bad Media Description': case 'Incompatible SDP': return REASONS[488];
    case 'Connection Error': return 'Network connection lost. Check your connection and try again.';
    case 'Media Failed': return 'The call\'s audio could not get through: a firewall or the network may be blocking it. Try again, or from another network.';
    case 'Authentication Error': return 'Your phone sign-in expired. Reload the page and try again.';
    default: return cause ? `Call ended (${cause}).` : 'Call ended.';
  }
}

export function mmss(totalSeconds) {
  const s = Math.max(0, Math.floor(totalSeconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

// E.164: + then 8 to 15 digits, first digit not 0. Spaces, dashes, dots and brackets are ignored.
export function normalizeNumber(text) {
  const t = (text || '').replace(/[\s\-.()]/g, '');
  const digits = t.startsWith('00') ? t.slice(2) : t.startsWith('+') ? t.slice(1) : null;
  if (digits === null || !/^[1-9][0-9]{7,14}$/.test(digits)) return null;
  return '+' + digits;
}
