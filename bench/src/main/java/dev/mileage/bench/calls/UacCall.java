package dev.mileage.bench.calls;

import dev.mileage.points.metering.TimingWheel;
import gov.nist.javax.sip.header.ExtensionHeaderImpl;
import gov.nist.javax.sip.header.From;
import gov.nist.javax.sip.header.To;
import gov.nist.javax.sip.header.Via;
import gov.nist.javax.sip.message.SIPRequest;
import java.net.InetSocketAddress;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * One call of the load: a small state machine with its own client transactions ({@link ClientTx}), touched
 * under its own lock by jain-sip's threads and the timer thread. Its outcome is counted once ({@link #finish});
 * it stays reachable by Call-ID until its transactions are over, so a CANCEL's 487 or a late 200 is still
 * acknowledged, then it retires.
 */
final class UacCall implements CallTimers.Timed {

  enum State { INVITING, ESTABLISHED, ENDING, DONE }

  private final UacEngine engine;
  private final UacEngine.Source source;
  private final Subscriber subscriber;
  private final long intendedStartNanos;
  private final Runnable onEnd;
  private final String callId;
  private final SIPRequest firstInvite;
  private final TimingWheel.Timer<CallTimers.Timed> timer = CallTimers.timerFor(this);
  private State state = State.INVITING;
  /** The outcome is in the stats and {@code onEnd} ran; the call may linger to finish a transaction. */
  private boolean counted;
  private long lingerUntilNanos = Long.MAX_VALUE;
  private boolean authenticated;
  private ClientTx invite;
  private long inviteSeq = 1;
  /** The ACK of the digest challenge, sent again if the challenge is (retransmitted). */
  private Request challengeAck;
  private ClientTx cancel;
  private InDialog dialog;
  private ClientTx bye;
  private long sentNanos;
  private long setupDeadlineNanos = Long.MAX_VALUE;
  private long answeredNanos;
  private long byeIntendedNanos = Long.MAX_VALUE;
  private long byeSentNanos;
  private InetSocketAddress media;
  private int rtpSequence;
  private long rtpAtNanos = Long.MAX_VALUE;

  UacCall(UacEngine engine, UacEngine.Source source, Subscriber subscriber, String number, long intendedStartNanos,
          Runnable onEnd) throws Exception {
    this.engine = engine;
    this.source = source;
    this.subscriber = subscriber;
    this.intendedStartNanos = intendedStartNanos;
    this.onEnd = onEnd;
    this.callId = engine.newId() + '@' + source.host();
    // the source's template, cloned: the ids, the caller and the dialled number are all that differ
    SIPRequest request = (SIPRequest) source.inviteTemplate().clone();
    ((SipURI) request.getRequestURI()).setUser(number);
    request.getCallId().setCallId(callId);
    From from = (From) request.getFrom();
    ((SipURI) from.getAddress().getURI()).setUser(subscriber.username());
    from.setTag(engine.newId());
    ((SipURI) ((To) request.getTo()).getAddress().getURI()).setUser(number);
    ((Via) request.getTopmostVia()).setBranch(engine.newBranch());
    ((SipURI) ((ContactHeader) request.getHeader(ContactHeader.NAME)).getAddress().getURI())
        .setUser(subscriber.username());
    request.setContent(engine.sdp(Long.toString(intendedStartNanos & 0xffffffffL), true),
        engine.headers.createContentTypeHeader("application", "sdp"));
    this.firstInvite = request;
  }

  String callId() {
    return callId;
  }

  /** Sends the first INVITE. */
  synchronized void start(long nowNanos) {
    sentNanos = nowNanos;
    setupDeadlineNanos = nowNanos + engine.settings().setupTimeout().toNanos();
    invite = new ClientTx(firstInvite, engine.reliable());
    if (!engine.send(source, firstInvite)) {
      invite.completed();
      finish("send-error", nowNanos);
    } else {
      invite.sent(nowNanos);
    }
    reschedule(nowNanos);
  }

  void onResponse(Response response, String method, long seq, long nowNanos) {
    synchronized (this) {
      if (state == State.DONE) return;
      int code = response.getStatusCode();
      switch (method) {
        case Request.INVITE -> onInviteResponse(response, seq, code, nowNanos);
        case Request.BYE -> onByeResponse(seq, code, nowNanos);
        case Request.CANCEL -> {
          if (cancel != null && code < 200) cancel.provisional();
          else if (cancel != null) cancel.completed();
        }
        default -> { }
      }
      reschedule(nowNanos);
    }
  }

  private void onInviteResponse(Response response, long seq, int code, long now) {
    boolean current = invite != null && seq == inviteSeq;
    if (code < 200) {
      if (!current) return;
      invite.provisional();
      if (counted && cancel == null && invite.pending()) sendCancel(now); // gave up before it rang: CANCEL now
      return;
    }
    if (code >= 300) {
      acknowledgeFailure(response, seq); // each one, retransmissions too: our ACK may have been lost
      if (!current || !invite.pending()) return;
      invite.completed();
      if (counted) return; // the 487 of our CANCEL, or a failure after the setup deadline
      if ((code == Response.UNAUTHORIZED || code == Response.PROXY_AUTHENTICATION_REQUIRED) && !authenticated) {
        authenticate(response, now);
      } else {
        finish(Integer.toString(code), now); // refused credentials are a failed call, not a loop
      }
      return;
    }
    if (dialog != null) { // the 2xx again: our ACK was lost
      dialog.sendAck();
      return;
    }
    if (invite != null) invite.completed();
    try {
      dialog = new InDialog(engine, source, response, firstInvite.getRequestURI());
    } catch (Exception e) {
      engine.showError("cannot follow the dialog of a 200", e);
      if (!counted) finish("bad-200", now);
      return;
    }
    dialog.sendAck();
    if (counted) { // answered after we gave up: hang up at once so nothing is left up and billing
      engine.lateAnswers.increment();
      state = State.ENDING;
      startBye(now);
      return;
    }
    state = State.ESTABLISHED;
    answeredNanos = now;
    byeIntendedNanos = now + engine.settings().hold().toNanos();
    engine.stats().setup.record(intendedStartNanos, sentNanos, now);
    engine.stats().callAnswered(subscriber.username());
    if (!engine.settings().rtpInterval().isZero()) {
      media = RtpSource.mediaAddress(response.getRawContent());
      if (media != null) sendRtp(now); // at once: an anchoring gateway latches our address from it
    }
  }

  private void acknowledgeFailure(Response response, long seq) {
    if (seq == 1 && challengeAck != null) {
      if (!engine.send(source, challengeAck)) engine.ackErrors.increment();
      return;
    }
    SIPRequest of = seq == 1 ? firstInvite : invite != null && seq == inviteSeq ? (SIPRequest) invite.request : null;
    if (of == null) return;
    Request ack = of.createAckRequest((To) response.getHeader(To.NAME));
    if (seq == 1) challengeAck = ack;
    if (!engine.send(source, ack)) engine.ackErrors.increment();
  }

  private void authenticate(Response response, long now) {
    authenticated = true;
    engine.stats().challenged.increment();
    for (WWWAuthenticateHeader header : UacEngine.challenges(response, engine.settings().digest())) {
      if (!"Digest".equalsIgnoreCase(header.getScheme())) continue;
      Digest.Challenge challenge = Digest.challenge(header.getRealm(), header.getNonce(), header.getOpaque(),
          header.getAlgorithm(), header.getQop());
      if (challenge == null) continue;
      String value = engine.digests.authorization(challenge, subscriber.username(), subscriber.password(),
          Request.INVITE, firstInvite.getRequestURI().toString(), 1, engine.newId());
      String name = response.getStatusCode() == Response.PROXY_AUTHENTICATION_REQUIRED ? "Proxy-Authorization"
          : "Authorization";
      try {
        SIPRequest request = (SIPRequest) firstInvite.clone();
        request.getCSeq().setSeqNumber(2L);
        ((Via) request.getTopmostVia()).setBranch(engine.newBranch());
        ExtensionHeaderImpl authorization = new ExtensionHeaderImpl(name); // sent as is: nothing here parses it
        authorization.setValue(value);
        request.addHeader(authorization);
        inviteSeq = 2;
        invite = new ClientTx(request, engine.reliable());
      } catch (Exception e) {
        engine.showError("cannot build the authenticated INVITE", e);
        finish("auth-build-error", now);
        return;
      }
      if (engine.send(source, invite.request)) {
        invite.sent(now);
      } else {
        invite.completed();
        finish("send-error", now);
      }
      return;
    }
    finish("no-usable-challenge", now);
  }

  private void onByeResponse(long seq, int code, long now) {
    if (bye == null || !bye.pending() || seq != ((CSeqHeader) bye.request.getHeader(CSeqHeader.NAME)).getSeqNumber()) {
      return;
    }
    if (code < 200) {
      bye.provisional();
      return;
    }
    bye.completed();
    if (counted) return;
    if (code < 300) {
      engine.stats().teardown.record(byeIntendedNanos, byeSentNanos, now);
      engine.stats().completed.increment();
      finish(null, now);
    } else {
      finish("bye-" + code, now);
    }
  }

  @Override
  public void onTimer(long now) {
    synchronized (this) {
      if (state == State.DONE) return;
      if (invite != null) {
        switch (invite.due(now)) {
          case RESEND -> resend(invite);
          case TIMEOUT -> {
            if (!counted) finish("timeout", now);
          }
          default -> { }
        }
      }
      if (cancel != null && cancel.due(now) == ClientTx.Due.RESEND) resend(cancel);
      if (bye != null) {
        switch (bye.due(now)) {
          case RESEND -> resend(bye);
          case TIMEOUT -> {
            if (!counted) finish("bye-timeout", now);
          }
          default -> { }
        }
      }
      if (state == State.INVITING && !counted && now >= setupDeadlineNanos) setupTimeout(now);
      if (state == State.ESTABLISHED && now >= rtpAtNanos) sendRtp(now);
      if (state == State.ESTABLISHED && now >= byeIntendedNanos) hangUp(now);
      reschedule(now);
    }
  }

  private void resend(ClientTx tx) {
    engine.retransmissions.increment();
    engine.send(source, tx.request);
  }

  /** Not answered in time: counted as setup-timeout; CANCEL once it rang (RFC 3261 9.1: not before a 1xx). */
  private void setupTimeout(long now) {
    finish("setup-timeout", now);
    if (invite != null && invite.pending() && invite.proceeding()) sendCancel(now);
  }

  private void sendCancel(long now) {
    try {
      cancel = new ClientTx(((SIPRequest) invite.request).createCancelRequest(), engine.reliable());
    } catch (Exception e) {
      engine.showError("CANCEL not built", e);
      return;
    }
    if (engine.send(source, cancel.request)) cancel.sent(now);
    else cancel.completed();
  }

  private void sendRtp(long now) {
    engine.sendRtp(media, rtpSequence++, callId.hashCode());
    rtpAtNanos = now + engine.settings().rtpInterval().toNanos();
  }

  /** The hold time is over: BYE. */
  private void hangUp(long now) {
    state = State.ENDING;
    byeSentNanos = now;
    engine.stats().establishedEnded(callId, subscriber.username(), (now - answeredNanos) / 1_000_000L);
    startBye(now);
  }

  private void startBye(long now) {
    try {
      bye = new ClientTx(dialog.bye(), engine.reliable());
    } catch (Exception e) {
      engine.showError("BYE not built", e);
      if (!counted) finish("bye-send-error", now);
      return;
    }
    if (engine.send(source, bye.request)) {
      bye.sent(now);
    } else {
      bye.completed();
      if (!counted) finish("bye-send-error", now);
    }
  }

  /** The gateway hung up (balance exhausted, session timer, trunk hang-up) before our hold time ended. */
  void onRemoteBye() {
    synchronized (this) {
      if (state != State.ESTABLISHED) return;
      long now = engine.now();
      state = State.ENDING;
      engine.stats().establishedEnded(callId, subscriber.username(), (now - answeredNanos) / 1_000_000L);
      engine.stats().endedByRemote.increment();
      finish("ended-by-gateway", now);
      reschedule(now);
    }
  }

  /** Our 200 to a re-INVITE (session refresh, hold): the unchanged offer, with our Contact; mux as offered. */
  Response reInviteAnswer(Request request) throws Exception {
    Response ok = engine.messages.createResponse(Response.OK, request);
    ok.setContent(engine.sdp(Integer.toString(callId.hashCode() & 0x7fffffff), RtpSource.offersRtcpMux(request.getRawContent())),
        engine.headers.createContentTypeHeader("application", "sdp"));
    ok.addHeader((ContactHeader) firstInvite.getHeader(ContactHeader.NAME).clone());
    return ok;
  }

  /** The run is over: counts the call as {@code reason} if it was not counted yet; true if it was not. */
  boolean abandon(String reason) {
    synchronized (this) {
      boolean wasCounted = counted;
      if (state == State.ESTABLISHED) {
        engine.stats().establishedEnded(callId, subscriber.username(), (engine.now() - answeredNanos) / 1_000_000L);
      }
      if (!counted) finish(reason, engine.now());
      retire();
      return !wasCounted;
    }
  }

  /** Counts the outcome exactly once; {@code failure} null means it completed cleanly. */
  private void finish(String failure, long now) {
    if (counted) return;
    counted = true;
    lingerUntilNanos = now + ClientTx.TIMEOUT_NANOS;
    if (failure != null) engine.stats().failed(failure);
    engine.stats().callEnded();
    engine.counted();
    onEnd.run();
  }

  /** Puts the call's single wheel entry at its next deadline, or retires it when nothing is left to do. */
  private void reschedule(long now) {
    if (state == State.DONE) return;
    boolean busy = pending(invite) || pending(cancel) || pending(bye);
    if (counted && (!busy || now >= lingerUntilNanos)) {
      retire();
      return;
    }
    long next = Math.min(next(invite), Math.min(next(cancel), next(bye)));
    if (state == State.INVITING && !counted) next = Math.min(next, setupDeadlineNanos);
    if (state == State.ESTABLISHED) next = Math.min(next, Math.min(byeIntendedNanos, rtpAtNanos));
    if (counted) next = Math.min(next, lingerUntilNanos);
    engine.timers.schedule(timer, next);
  }

  private void retire() {
    state = State.DONE;
    engine.timers.cancel(timer);
    engine.forget(this);
  }

  private static boolean pending(ClientTx tx) {
    return tx != null && tx.pending();
  }

  private static long next(ClientTx tx) {
    return tx == null ? Long.MAX_VALUE : tx.nextNanos();
  }

  @Override
  public String toString() {
    return "UacCall[" + callId + " " + state + "]";
  }
}
