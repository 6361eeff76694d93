package dev.mileage.gateway.sip;

import gov.nist.javax.sip.header.extensions.SessionExpiresHeader;

import javax.sip.header.AllowHeader;
import javax.sip.header.Header;
import javax.sip.header.RequireHeader;
import javax.sip.header.SupportedHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.util.Locale;

/**
 * Session timers (RFC 4028) on the caller's leg: they end calls whose BYE was lost. When the caller
 * refreshes ({@code refresher=uac}) a missing refresh ends the call shortly before the interval ends
 * (section 10: BYE at SE - min(32, SE/3)); when it cannot, the gateway refreshes with UPDATE (or
 * re-INVITE) every half interval and ends the call if the refresh fails.
 */
final class SessionTimers {
  record Request(boolean supported, int sessionExpires, String refresher, boolean malformed) {
  }

  private SessionTimers() {
  }

  static Request parse(javax.sip.message.Request request) {
    boolean supported = hasTag(request, SupportedHeader.NAME, "timer") || hasTag(request, RequireHeader.NAME, "timer");
    Header h = request.getHeader(SessionExpiresHeader.NAME);
    if (h == null) h = request.getHeader("x");
    if (h == null) return new Request(supported, 0, null, false);
    if (!(h instanceof SessionExpiresHeader se) || se.getExpires() <= 0) return new Request(supported, 0, null, true);
    String refresher = se.getRefresher() == null ? null : se.getRefresher().toLowerCase(Locale.ROOT);
    if (refresher != null && !refresher.equals("uac") && !refresher.equals("uas")) return new Request(supported, 0, null, true);
    return new Request(supported, se.getExpires(), refresher, false);
  }

  static boolean requires100rel(javax.sip.message.Request request) {
    return hasTag(request, RequireHeader.NAME, "100rel");
  }

  static boolean allowsUpdate(javax.sip.message.Request request) {
    var it = request.getHeaders(AllowHeader.NAME);
    while (it.hasNext()) {
      if (((AllowHeader) it.next()).getMethod().trim().equalsIgnoreCase(javax.sip.message.Request.UPDATE)) return true;
    }
    return false;
  }

  private static boolean hasTag(javax.sip.message.Request request, String header, String tag) {
    var it = request.getHeaders(header);
    while (it.hasNext()) {
      Object h = it.next();
      String t = h instanceof SupportedHeader s ? s.getOptionTag() : h instanceof RequireHeader r ? r.getOptionTag() : null;
      if (t != null && t.trim().equalsIgnoreCase(tag)) return true;
    }
    return false;
  }

  static void addMinSe(SipEndpoint sip, Response r, long seconds) {
    try {
      r.setHeader(sip.headers.createHeader("Min-SE", Long.toString(seconds)));
    } catch (java.text.ParseException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Chooses the interval and refresher for the 200 to the caller and starts the timers. */
  static void negotiate(B2bua b2bua, Call call, Response ok) throws Exception {
    long ours = b2bua.options.sessionExpires().toSeconds();
    long se = call.aRequestedSessionExpires > 0 ? Math.min(call.aRequestedSessionExpires, ours) : ours;
    String refresher = call.aSupportsTimer ? (call.aRequestedRefresher != null ? call.aRequestedRefresher : "uac") : "uas";
    call.sessionExpiresSeconds = (int) se;
    call.gatewayRefreshes = refresher.equals("uas");
    ok.setHeader(b2bua.sip.headers.createHeader(SessionExpiresHeader.NAME, se + ";refresher=" + refresher));
    if (call.aSupportsTimer) ok.addHeader(b2bua.sip.headers.createRequireHeader("timer"));
    restart(b2bua, call);
  }

  /** A refresh arrived (or we answered): the interval starts again. */
  static void restart(B2bua b2bua, Call call) {
    if (call.sessionExpiresSeconds <= 0 || call.ended()) return;
    b2bua.cancelTimer(call.sessionTimer);
    b2bua.cancelTimer(call.refreshTimer);
    long seMs = call.sessionExpiresSeconds * 1000L;
    long byeAtMs = seMs - Math.min(32_000L, seMs / 3);
    call.sessionTimer = b2bua.vertx().setTimer(Math.max(1, byeAtMs), id -> {
      call.sessionTimer = -1;
      b2bua.endLost(call); // no refresh: the caller is gone (RFC 4028 10)
    });
    if (call.gatewayRefreshes) {
      call.refreshTimer = b2bua.vertx().setTimer(Math.max(1, seMs / 2), id -> {
        call.refreshTimer = -1;
        if (!call.ended()) b2bua.modifier().refreshA(call);
      });
    }
  }
}
