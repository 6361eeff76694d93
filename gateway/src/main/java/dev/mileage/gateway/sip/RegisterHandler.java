package dev.mileage.gateway.sip;

import javax.sip.ServerTransaction;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ExpiresHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** REGISTER as RFC 3261 10.3 describes it, for an already authenticated subscriber. */
final class RegisterHandler {
  private final SipEndpoint sip;
  private final SipResponses responses;
  private final Registrar registrar;
  private final Clock clock;

  RegisterHandler(SipEndpoint sip, SipResponses responses, Registrar registrar, Clock clock) {
    this.sip = sip;
    this.responses = responses;
    this.registrar = registrar;
    this.clock = clock;
  }

  /** {@code flow}: the browser connection the REGISTER came over, whose close drops its bindings; null for phones. */
  void handle(ServerTransaction st, Request request, SubscriberStore.Subscriber who, String flow) {
    ToHeader to = (ToHeader) request.getHeader(ToHeader.NAME);
    // the address of record must be the authenticated user's own (step 6: 403 otherwise)
    if (!(to.getAddress().getURI() instanceof SipURI aor) || !who.username().equals(aor.getUser())) {
      responses.send(st, request, Response.FORBIDDEN, null);
      return;
    }
    Instant now = clock.instant();
    String callId = ((CallIdHeader) request.getHeader(CallIdHeader.NAME)).getCallId();
    long cseq = ((CSeqHeader) request.getHeader(CSeqHeader.NAME)).getSeqNumber();
    ExpiresHeader expiresHeader = request.getExpires();
    int defaultExpires = expiresHeader == null ? Registrar.EXPIRES_DEFAULT_SECONDS : expiresHeader.getExpires();
    List<ContactHeader> contacts = new ArrayList<>();
    request.getHeaders(ContactHeader.NAME).forEachRemaining(h -> contacts.add((ContactHeader) h));
    for (ContactHeader c : contacts) {
      if (c.isWildCard()) {
        // "*" only with Expires: 0 and alone (step 6)
        if (contacts.size() != 1 || defaultExpires != 0) {
          responses.send(st, request, Response.BAD_REQUEST, null);
          return;
        }
        if (registrar.removeAll(who.username(), callId, cseq, now) == Registrar.Result.OUT_OF_ORDER) {
          responses.send(st, request, Response.SERVER_INTERNAL_ERROR, null);
          return;
        }
        reply(st, request, who, now);
        return;
      }
    }
    for (ContactHeader c : contacts) {
      int expires = c.getExpires() >= 0 ? c.getExpires() : defaultExpires;
      if (expires > 0 && expires < Registrar.EXPIRES_MIN_SECONDS) {
        Response r = responses.create(Response.INTERVAL_TOO_BRIEF, request, null);
        try {
          r.setHeader(sip.headers.createMinExpiresHeader(Registrar.EXPIRES_MIN_SECONDS));
        } catch (javax.sip.InvalidArgumentException e) {
          throw new IllegalStateException(e);
        }
        responses.send(st, r);
        return;
      }
    }
    // RFC 3261 10.3: the whole request or nothing, so every Contact goes to the registrar in one call
    List<Registrar.Change> changes = new ArrayList<>(contacts.size());
    for (ContactHeader c : contacts) {
      int expires = Math.min(c.getExpires() >= 0 ? c.getExpires() : defaultExpires, Registrar.EXPIRES_MAX_SECONDS);
      changes.add(new Registrar.Change(c.getAddress().getURI().toString(), expires));
    }
    Registrar.Result result = registrar.apply(who.username(), changes, callId, cseq, now, flow);
    if (result == Registrar.Result.OUT_OF_ORDER) {
      responses.send(st, request, Response.SERVER_INTERNAL_ERROR, null);
      return;
    }
    if (result != Registrar.Result.OK) {
      responses.send(st, request, Response.SERVICE_UNAVAILABLE, null);
      return;
    }
    reply(st, request, who, now);
  }

  private void reply(ServerTransaction st, Request request, SubscriberStore.Subscriber who, Instant now) {
    Response r = responses.create(Response.OK, request, Long.toHexString(now.toEpochMilli()));
    try {
      for (Registrar.Binding b : registrar.bindingsOf(who.username(), now)) {
        ContactHeader c = sip.headers.createContactHeader(sip.addresses.createAddress(b.contact()));
        c.setExpires((int) Math.max(0, b.expiresAt().getEpochSecond() - now.getEpochSecond()));
        r.addHeader(c);
      }
      r.setHeader(sip.headers.createDateHeader(java.util.Calendar.getInstance(java.util.TimeZone.getTimeZone("GMT"))));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    responses.send(st, r);
  }
}
