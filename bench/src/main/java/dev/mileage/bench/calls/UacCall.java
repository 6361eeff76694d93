package dev.mileage.bench.calls;

import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Logger;
import javax.sip.ClientTransaction;
import javax.sip.Dialog;
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
  private static final Logger LOG = Logger.getLogger(UacCall.class.getName());

  enum State { INVITING, ESTABLISHED, ENDING, DONE }

  private final UacEngine engine;
  private final Subscriber subscriber;
  private final long intendedStartNanos;
  private final Runnable onEnd;
  private final String callId;
  private final Request invite;
  private State state = State.INVITING;
  private boolean authenticated;
  private ClientTransaction inviteTransaction;
  private Dialog dialog;
  private long sentNanos;
  private long answeredNanos;
  private long byeIntendedNanos;
  private long byeSentNanos;

  UacCall(UacEngine engine, Subscriber subscriber, String number, long intendedStartNanos, Runnable onEnd)
      throws Exception {
    this.engine = engine;
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
    CallIdHeader callIdHeader = engine.provider().getNewCallId();
    this.callId = callIdHeader.getCallId();
    CSeqHeader cseq = engine.headers.createCSeqHeader(1L, Request.INVITE);
    ViaHeader via = engine.headers.createViaHeader("127.0.0.1", engine.localPort(), transport, null);
    MaxForwardsHeader maxForwards = engine.headers.createMaxForwardsHeader(70);
    ContentTypeHeader contentType = engine.headers.createContentTypeHeader("application", "sdp");
    invite = engine.messages.createRequest(requestUri, Request.INVITE, callIdHeader, cseq, from, to,
        List.of(via), maxForwards, contentType, engine.sdp(Long.toString(intendedStartNanos & 0xffffffffL)));
    SipURI contactUri = engine.addresses.createSipURI(subscriber.username(), "127.0.0.1");
    contactUri.setPort(engine.localPort());
    if (s.transport() == UacEngine.Transport.TCP) contactUri.setTransportParam(transport);
    ContactHeader contact = engine.headers.createContactHeader(engine.addresses.createAddress(contactUri));
    invite.addHeader(contact);
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
      ClientTransaction transaction = engine.provider().getNewClientTransaction(request);
      synchronized (this) {
        if (state != State.INVITING) return;
        inviteTransaction = transaction;
        if (authorization == null) sentNanos = nowNanos;
      }
      transaction.sendRequest();
    } catch (Exception e) {
      LOG.fine("INVITE not sent: " + e);
      finish("send-error");
    }
  }

  void onResponse(ResponseEvent event, CSeqHeader cseq) {
    Response response = event.getResponse();
    int code = response.getStatusCode();
    long now = engine.now();
    if (cseq.getMethod().equals(Request.INVITE)) {
      if (code < 200) return;
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
    Dialog answered = event.getDialog() != null ? event.getDialog() : inviteTransaction.getDialog();
    synchronized (this) {
      if (state != State.INVITING) {
        return; // a retransmitted 200: the dialog layer re-sends the ACK
      }
      state = State.ESTABLISHED;
      dialog = answered;
      answeredNanos = now;
      byeIntendedNanos = now + engine.settings().hold().toNanos();
    }
    engine.stats().setup.record(intendedStartNanos, sentNanos, now);
    engine.stats().callAnswered(subscriber.username());
    try {
      answered.sendAck(answered.createAck(cseq.getSeqNumber()));
    } catch (Exception e) {
      LOG.fine("ACK not sent: " + e);
    }
    engine.schedule(this::hangUp, byeIntendedNanos);
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
      Request bye = dialog.createRequest(Request.BYE);
      ClientTransaction transaction = engine.provider().getNewClientTransaction(bye);
      dialog.sendRequest(transaction);
    } catch (Exception e) {
      LOG.fine("BYE not sent: " + e);
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
      pending = inviteTransaction;
    }
    try {
      if (pending != null) engine.provider().getNewClientTransaction(pending.createCancel()).sendRequest();
    } catch (Exception e) {
      LOG.fine("CANCEL not sent: " + e);
    }
    finish("setup-timeout");
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

  static void ackAndHangUp(UacEngine engine, Dialog dialog, long cseq) {
    try {
      dialog.sendAck(dialog.createAck(cseq));
      Request bye = dialog.createRequest(Request.BYE);
      dialog.sendRequest(engine.provider().getNewClientTransaction(bye));
    } catch (Exception e) {
      LOG.fine("late answer not hung up: " + e);
    }
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
    SipURI contactUri = engine.addresses.createSipURI(call.subscriber.username(), "127.0.0.1");
    contactUri.setPort(engine.localPort());
    ok.addHeader(engine.headers.createContactHeader(engine.addresses.createAddress(contactUri)));
    transaction.sendResponse(ok);
  }
}
