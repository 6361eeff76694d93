package dev.mileage.bench.calls;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import javax.sip.ClientTransaction;
import javax.sip.ResponseEvent;
import javax.sip.ServerTransaction;
import javax.sip.address.Address;
import javax.sip.address.SipURI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.ContentTypeHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.Header;
import javax.sip.header.MaxForwardsHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.header.WWWAuthenticateHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/** One call of the load: a small state machine, touched under its own lock by jain-sip and timer threads. */
final class UacCall {

  enum State { INVITING, ESTABLISHED, ENDING, DONE }

  private final UacEngine engine;
  private final UacEngine.Source source;
  private final Subscriber subscriber;
  private final long intendedStartNanos;
  private final Runnable onEnd;
  private final String callId;
  private final Request invite;
  private State state = State.INVITING;
  private boolean authenticated;
  /** A 1xx other than 100 came: only then may an INVITE be cancelled (RFC 3261 9.1). */
  private boolean provisional;
  private ClientTransaction inviteTransaction;
  private InDialog dialog;
  private long sentNanos;
  private long answeredNanos;
  private long byeIntendedNanos;
  private long byeSentNanos;

  UacCall(UacEngine engine, UacEngine.Source source, Subscriber subscriber, String number, long intendedStartNanos,
          Runnable onEnd) throws Exception {
    this.engine = engine;
    this.source = source;
    this.subscriber = subscriber;
    this.intendedStartNanos = intendedStartNanos;
    this.onEnd = onEnd;
    UacEngine.Settings s = engine.settings();
    String transport = s.transport().name().toLowerCase(Locale.ROOT);
    SipURI requestUri = engine.addresses.createSipURI(number, s.targetHost());
    requestUri.setPort(s.targetPort());
    if (s.transport() == UacEngine.Transport.TCP) requestUri.setTransportParam(transport);
    requestUri.setUserParam("phone");
    SipURI fromUri = engine.addresses.createSipURI(subscriber.username(), s.targetHost());
    Address fromAddress = engine.addresses.createAddress(fromUri);
    FromHeader from = engine.headers.createFromHeader(fromAddress, Long.toHexString(ThreadLocalRandom.current().nextLong()));
    SipURI toUri = engine.addresses.createSipURI(number, s.targetHost());
    toUri.setUserParam("phone");
    ToHeader to = engine.headers.createToHeader(engine.addresses.createAddress(toUri), null);
    CallIdHeader callIdHeader = source.provider().getNewCallId();
    this.callId = callIdHeader.getCallId();
    CSeqHeader cseq = engine.headers.createCSeqHeader(1L, Request.INVITE);
    ViaHeader via = engine.headers.createViaHeader(source.host(), source.port(), transport, null);
    MaxForwardsHeader maxForwards = engine.headers.createMaxForwardsHeader(70);
    ContentTypeHeader contentType = engine.headers.createContentTypeHeader("application", "sdp");
    invite = engine.messages.createRequest(requestUri, Request.INVITE, callIdHeader, cseq, from, to,
        List.of(via), maxForwards, contentType, engine.sdp(Long.toString(intendedStartNanos & 0xffffffffL)));
    SipURI contactUri = engine.addresses.createSipURI(subscriber.username(), source.host());
    contactUri.setPort(source.port());
    if (s.transport() == UacEngine.Transport.TCP) contactUri.setTransportParam(transport);
    ContactHeader contact = engine.headers.createContactHeader(engine.addresses.createAddress(contactUri));
    invite.addHeader(contact);
  }

  UacEngine.Source source() {
    return source;
  }

  String callId() {
    return callId;
  }

  /** Sends the INVITE, with credentials when {@code authorization} is set. */
  void sendInvite(Header authorization, long nowNanos) {
    try {
      Request request = invite;
      if (authorization != null) {
        request = (Request) invite.clone();
        CSeqHeader cseq = (CSeqHeader) request.getHeader(CSeqHeader.NAME);
        cseq.setSeqNumber(2L);
        ((ViaHeader) request.getHeader(ViaHeader.NAME)).setBranch(UacEngine.newBranch());
        request.addHeader(authorization);
      }
      ClientTransaction transaction = source.provider().getNewClientTransaction(request);
      synchronized (this) {
        if (state != State.INVITING) return;
        inviteTransaction = transaction;
        if (authorization == null) sentNanos = nowNanos;
      }
      transaction.sendRequest();
    } catch (Exception e) {
      engine.showError("INVITE not sent", e);
      finish("send-error");
    }
  }

  void onResponse(ResponseEvent event, CSeqHeader cseq) {
    Response response = event.getResponse();
    int code = response.getStatusCode();
    long now = engine.now();
    if (cseq.getMethod().equals(Request.INVITE)) {
      if (code < 200) {
        if (code > 100) {
          synchronized (this) {
            provisional = true;
          }
        }
        return;
      }
      if ((code == Response.UNAUTHORIZED || code == Response.PROXY_AUTHENTICATION_REQUIRED)) {
        onChallenge(response, now);
        return;
      }
      if (code < 300) {
        onAnswer(event, cseq, now);
        return;
      }
      finish(Integer.toString(code));
    } else if (cseq.getMethod().equals(Request.BYE)) {
      boolean ok;
      synchronized (this) {
        if (state != State.ENDING) return;
        ok = code < 300;
      }
      if (code < 200) return;
      if (ok) {
        engine.stats().teardown.record(byeIntendedNanos, byeSentNanos, now);
        engine.stats().completed.increment();
        finish(null);
      } else {
        finish("bye-" + code);
      }
    }
  }

  private void onChallenge(Response response, long now) {
    boolean firstChallenge;
    synchronized (this) {
      if (state != State.INVITING) return;
      firstChallenge = !authenticated;
      authenticated = true;
    }
    if (!firstChallenge) {
      finish(Integer.toString(response.getStatusCode())); // credentials refused: a failed call, not a loop
      return;
    }
    engine.stats().challenged.increment();
    List<WWWAuthenticateHeader> offered = UacEngine.challenges(response, engine.settings().digest());
    for (WWWAuthenticateHeader header : offered) {
      if (!"Digest".equalsIgnoreCase(header.getScheme())) continue;
      Digest.Challenge challenge = Digest.challenge(header.getRealm(), header.getNonce(), header.getOpaque(),
          header.getAlgorithm(), header.getQop());
      if (challenge == null) continue;
      String value = Digest.authorization(challenge, subscriber.username(), subscriber.password(), Request.INVITE,
          invite.getRequestURI().toString(), 1, Long.toHexString(ThreadLocalRandom.current().nextLong()));
      String name = response.getStatusCode() == Response.PROXY_AUTHENTICATION_REQUIRED ? "Proxy-Authorization"
          : "Authorization";
      try {
        sendInvite(engine.headers.createHeader(name, value), now);
      } catch (Exception e) {
        finish("auth-build-error");
      }
      return;
    }
    finish("no-usable-challenge");
  }

  private void onAnswer(ResponseEvent event, CSeqHeader cseq, long now) {
    InDialog established;
    boolean inviting;
    synchronized (this) {
      inviting = state == State.INVITING;
      established = dialog;
    }
    if (!inviting) {
      try {
        if (established != null) established.sendAck(); // a retransmitted 200: our ACK was lost
      } catch (Exception e) {
        engine.ackErrors.increment();
      }
      return;
    }
    try {
      established = new InDialog(engine, source, event.getResponse(), invite.getRequestURI());
    } catch (Exception e) {
      engine.showError("cannot follow the dialog of a 200", e);
      finish("bad-200");
      return;
    }
    synchronized (this) {
      if (state != State.INVITING) return;
      state = State.ESTABLISHED;
      dialog = established;
      answeredNanos = now;
      byeIntendedNanos = now + engine.settings().hold().toNanos();
    }
    engine.stats().setup.record(intendedStartNanos, sentNanos, now);
    engine.stats().callAnswered(subscriber.username());
    try {
      established.sendAck();
    } catch (Exception e) {
      engine.ackErrors.increment();
      engine.showError("ACK not sent", e);
    }
    engine.schedule(this::hangUp, byeIntendedNanos);
    InetSocketAddress media = RtpSource.mediaAddress(event.getResponse().getRawContent());
    if (media != null && !engine.settings().rtpInterval().isZero()) rtpTick(media, 0);
  }

  private void rtpTick(InetSocketAddress media, int sequence) {
    synchronized (this) {
      if (state != State.ESTABLISHED) return;
    }
    engine.sendRtp(media, sequence, callId.hashCode());
    engine.schedule(() -> rtpTick(media, sequence + 1), engine.now() + engine.settings().rtpInterval().toNanos());
  }

  /** The hold time is over: BYE. */
  void hangUp() {
    synchronized (this) {
      if (state != State.ESTABLISHED) return;
      state = State.ENDING;
      byeSentNanos = engine.now();
    }
    engine.stats().establishedEnded(callId, subscriber.username(), (byeSentNanos - answeredNanos) / 1_000_000L);
    try {
      dialog.sendBye();
    } catch (Exception e) {
      engine.showError("BYE not sent", e);
      finish("bye-send-error");
    }
  }

  /** The gateway hung up (balance exhausted, session timer, trunk hang-up) before our hold time ended. */
  void onRemoteBye() {
    long talkMillis;
    synchronized (this) {
      if (state != State.ESTABLISHED) return;
      state = State.ENDING;
      talkMillis = (engine.now() - answeredNanos) / 1_000_000L;
    }
    engine.stats().establishedEnded(callId, subscriber.username(), talkMillis);
    engine.stats().endedByRemote.increment();
    finish("ended-by-gateway");
  }

  void onTimeout(String method) {
    finish(method.equals(Request.BYE) ? "bye-timeout" : "timeout");
  }

  /** Not answered in time: CANCEL and count it. */
  void setupDeadline() {
    ClientTransaction pending;
    synchronized (this) {
      if (state != State.INVITING) return;
      pending = provisional ? inviteTransaction : null;
    }
    // counted first: the CANCEL goes out on its own thread, since jain-sip may hold it on the INVITE
    // transaction's lock and the timer thread must keep every other call's deadline on time
    finish("setup-timeout");
    if (pending != null) engine.cancelLater(source, pending);
  }

  void abandon(String reason) {
    boolean wasEstablished;
    synchronized (this) {
      wasEstablished = state == State.ESTABLISHED;
    }
    if (wasEstablished) {
      engine.stats().establishedEnded(callId, subscriber.username(), (engine.now() - answeredNanos) / 1_000_000L);
    }
    finish(reason);
  }

  /** Ends the call exactly once; {@code failure} null means it completed cleanly. */
  private void finish(String failure) {
    synchronized (this) {
      if (state == State.DONE) return;
      state = State.DONE;
    }
    if (failure != null) engine.stats().failed(failure);
    engine.stats().callEnded();
    engine.forget(this);
    onEnd.run();
  }

  /** A session refresh or hold from the gateway: accept it with our unchanged offer. */
  static void answerReInvite(UacEngine engine, ServerTransaction transaction, Request request, UacCall call)
      throws Exception {
    if (call == null) {
      transaction.sendResponse(engine.messages.createResponse(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, request));
      return;
    }
    Response ok = engine.messages.createResponse(Response.OK, request);
    ok.setContent(engine.sdp(call.callId.hashCode() + ""), engine.headers.createContentTypeHeader("application", "sdp"));
    SipURI contactUri = engine.addresses.createSipURI(call.subscriber.username(), call.source.host());
    contactUri.setPort(call.source.port());
    ok.addHeader(engine.headers.createContactHeader(engine.addresses.createAddress(contactUri)));
    transaction.sendResponse(ok);
  }
}
