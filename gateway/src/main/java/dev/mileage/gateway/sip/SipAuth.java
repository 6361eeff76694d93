package dev.mileage.gateway.sip;

import io.vertx.core.Future;

import javax.sip.ServerTransaction;
import javax.sip.header.AuthorizationHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.text.ParseException;
import java.util.Set;

/**
 * Authenticates a request from a phone: no credentials, a forged or replayed nonce, an unknown user or
 * a wrong password all get the same fresh 401 challenge; a right digest on an expired nonce gets stale=true.
 * Failures are counted per source (password guessing leads to a ban). Answers the subscriber, or null when a
 * response has already been sent.
 */
final class SipAuth {
  /**
   * Transports whose clients are browsers: JsSIP 3.x and SIP.js answer only the first challenge and only
   * with MD5, so they get MD5 first whatever {@link SipOptions#sha256First} says.
   */
  static final Set<String> MD5_FIRST_TRANSPORTS = Set.of("ws", "wss");

  private final SipEndpoint sip;
  private final SipResponses responses;
  private final SubscriberStore subscribers;
  private final SourceGuard guard;
  private final DigestAuth digest;
  private final boolean sha256First;
  private final java.util.concurrent.atomic.LongAdder failures = new java.util.concurrent.atomic.LongAdder();
  private final java.util.concurrent.atomic.LongAdder replays = new java.util.concurrent.atomic.LongAdder();

  SipAuth(SipEndpoint sip, SipResponses responses, SubscriberStore subscribers, SourceGuard guard, DigestAuth digest,
          boolean sha256First) {
    this.sha256First = sha256First;
    this.sip = sip;
    this.responses = responses;
    this.subscribers = subscribers;
    this.guard = guard;
    this.digest = digest;
  }

  long failures() {
    return failures.sum();
  }

  long replays() {
    return replays.sum();
  }

  Future<SubscriberStore.Subscriber> authenticate(ServerTransaction st, Request request, String source) {
    AuthorizationHeader h = credentialsFor(request);
    if (h == null) {
      challenge(st, request, false);
      return Future.succeededFuture(null);
    }
    DigestAuth.Check nonce = digest.checkNonce(h);
    if (nonce != DigestAuth.Check.OK && nonce != DigestAuth.Check.STALE) {
      fail(st, request, source);
      return Future.succeededFuture(null);
    }
    return subscribers.lookup(h.getUsername()).map(found -> {
      SubscriberStore.Subscriber s = found.orElse(null);
      DigestAuth.Check check = digest.verify(h, request.getMethod(), s);
      if (nonce == DigestAuth.Check.STALE) {
        // RFC 7616 3.3 (RFC 2617 3.2.1): stale=true only for a valid digest on an old nonce, so that the phone
        // retries without asking its user; a wrong password on an old nonce is a failure like any other
        if (check == DigestAuth.Check.OK || check == DigestAuth.Check.REPLAY) challenge(st, request, true);
        else fail(st, request, source);
        return null;
      }
      if (check == DigestAuth.Check.OK) {
        guard.onAuthSuccess(source);
        return s;
      }
      if (check == DigestAuth.Check.REPLAY) replays.increment();
      fail(st, request, source);
      return null;
    });
  }

  /** Our realm's credentials among the request's Authorization headers (a phone may carry several). */
  private AuthorizationHeader credentialsFor(Request request) {
    var it = request.getHeaders(AuthorizationHeader.NAME);
    while (it.hasNext()) {
      AuthorizationHeader h = (AuthorizationHeader) it.next();
      if (digest.realm().equals(h.getRealm()) && "Digest".equalsIgnoreCase(h.getScheme())) return h;
    }
    return null;
  }

  private void fail(ServerTransaction st, Request request, String source) {
    failures.increment();
    if (guard.onAuthFailure(source) == SourceGuard.Verdict.BANNED) {
      // the answer to this last guess still goes out, identical to the others; later ones are dropped
    }
    challenge(st, request, false);
  }

  /** Whether {@code request}'s client gets the MD5 challenge first (see {@link #MD5_FIRST_TRANSPORTS}). */
  static boolean md5First(Request request, boolean sha256First) {
    return !sha256First || MD5_FIRST_TRANSPORTS.contains(B2bua.transportOf(request));
  }

  private void challenge(ServerTransaction st, Request request, boolean stale) {
    Response r = responses.create(Response.UNAUTHORIZED, request, null);
    try {
      for (WWWAuthenticateHeader h : digest.challenges(sip.headers, stale, false, md5First(request, sha256First))) {
        // browser SIP libraries know MD5 only and each reads just one challenge (JsSIP the last, SIP.js
        // the first): over WebSocket only the MD5 one is offered, so the order cannot matter
        if (MD5_FIRST_TRANSPORTS.contains(B2bua.transportOf(request)) && !"MD5".equalsIgnoreCase(h.getAlgorithm())) continue;
        r.addHeader(h);
      }
    } catch (ParseException e) {
      throw new IllegalStateException(e);
    }
    responses.send(st, r);
  }
}
