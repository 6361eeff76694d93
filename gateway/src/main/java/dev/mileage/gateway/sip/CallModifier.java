package dev.mileage.gateway.sip;

import dev.mileage.gateway.media.MediaLeg;
import dev.mileage.gateway.media.SdpRewriter;
import dev.mileage.points.metering.EndReason;
import gov.nist.javax.sip.header.extensions.SessionExpiresHeader;

import javax.sip.ClientTransaction;
import javax.sip.Dialog;
import javax.sip.RequestEvent;
import javax.sip.ServerTransaction;
import javax.sip.header.CSeqHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Mid-call changes: re-INVITE and UPDATE from either leg (hold, codec change, session refresh) relayed
 * to the other leg with the SDP rewritten, one at a time (491 otherwise); the gateway's own session
 * refreshes towards the caller.
 */
final class CallModifier {
  private static final Logger LOG = Logger.getLogger(CallModifier.class.getName());
  private final B2bua b2bua;

  CallModifier(B2bua b2bua) {
    this.b2bua = b2bua;
  }

  void fromA(RequestEvent event, ServerTransaction st) {
    Request request = event.getRequest();
    Call call = b2bua.byACallId(B2bua.callId(request));
    if (call == null || call.ended()) {
      b2bua.responses.send(st, request, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, null);
      return;
    }
    if (!call.answered()) {
      b2bua.responses.send(st, request, Response.REQUEST_PENDING, null);
      return;
    }
    SessionTimers.restart(b2bua, call); // any re-INVITE or UPDATE from the caller refreshes the session
    modify(call, st, request, true);
  }

  void fromB(RequestEvent event, ServerTransaction st) {
    Request request = event.getRequest();
    Call call = b2bua.byBCallId(B2bua.callId(request));
    if (call == null || call.ended() || !call.answered()) {
      b2bua.responses.send(st, request, call == null ? Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST : Response.REQUEST_PENDING, null);
      return;
    }
    modify(call, st, request, false);
  }

  private void modify(Call call, ServerTransaction st, Request request, boolean fromA) {
    String sdp = B2bua.body(request);
    if (call.pendingModify != null && (sdp != null || Request.INVITE.equals(request.getMethod()))) {
      if (call.pendingModifyFromA == fromA) {
        // this side's own offer (or INVITE) is still unanswered (RFC 3311 5.2, RFC 3261 14.2): 500, retry later
        retryLater(st, request);
      } else {
        // an offer of ours to this side is unanswered: glare (RFC 3311 5.2, RFC 3261 14.2)
        b2bua.responses.send(st, request, Response.REQUEST_PENDING, null);
      }
      return;
    }
    if (sdp == null) {
      // a refresh without an offer: answer here (a re-INVITE's 200 must then carry our offer)
      answerLocally(call, st, request, fromA);
      return;
    }
    if (call.web != null) {
      if (!fromA) {
        answerTrunkLocally(call, st, request, sdp);
        return;
      }
      // the browser's leg (ICE, DTLS-SRTP) stays as negotiated; what its offer may change is the direction
      // (hold), relayed to the trunk as the plain leg's offer in that direction
      String refusal = call.web.reofferRefusal(sdp);
      if (refusal != null) {
        b2bua.notAcceptable(st, request, refusal);
        return;
      }
      sdp = SdpRewriter.withDirection(call.web.plainSdp(), SdpRewriter.direction(sdp));
    }
    SdpRewriter.Audio audio = SdpRewriter.audio(sdp);
    if (!SdpRewriter.hasG711(audio)) {
      b2bua.responses.send(st, request, Response.NOT_ACCEPTABLE_HERE, null);
      return;
    }
    MediaLeg from = fromA ? call.relay.a() : call.relay.b();
    MediaLeg to = fromA ? call.relay.b() : call.relay.a();
    from.remote(audio);
    Dialog other = fromA ? call.bDialog : call.aDialog;
    if (other == null) {
      b2bua.responses.send(st, request, Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST, null);
      return;
    }
    try {
      long version = fromA ? ++call.bSdpVersion : ++call.aSdpVersion;
      String rewritten = SdpRewriter.rewrite(sdp, b2bua.sip.host, to.localPort(), B2bua.sessionNumber(call), version,
          true);
      if (fromA) call.bLastSentSdp = rewritten;
      else call.aLastSentSdp = rewritten;
      Request out = other.createRequest(request.getMethod());
      out.setContent(rewritten, b2bua.sip.headers.createContentTypeHeader("application", "sdp"));
      out.setHeader(b2bua.sip.contact(fromA ? "udp" : B2bua.transportOf(call.aRequest)));
      ClientTransaction ct = b2bua.sip.provider.getNewClientTransaction(out);
      call.pendingModify = st;
      call.pendingModifyFromA = fromA;
      call.modifyCt = ct;
      other.sendRequest(ct);
    } catch (Exception e) {
      LOG.log(Level.FINE, "cannot relay the modification", e);
      call.pendingModify = null;
      call.modifyCt = null;
      b2bua.responses.send(st, request, Response.SERVER_INTERNAL_ERROR, null);
    }
  }

  /** 500 with a Retry-After of 0 to 10 s, chosen at random as RFC 3261 14.2 and RFC 3311 5.2 ask. */
  private void retryLater(ServerTransaction st, Request request) {
    Response r = b2bua.responses.create(Response.SERVER_INTERNAL_ERROR, request, null);
    try {
      r.setHeader(b2bua.sip.headers.createRetryAfterHeader(java.util.concurrent.ThreadLocalRandom.current().nextInt(11)));
    } catch (javax.sip.InvalidArgumentException e) {
      throw new IllegalStateException(e);
    }
    b2bua.responses.send(st, r);
  }

  /**
   * The trunk's offer on a browser call (e.g. the far end holds): answered here, going along with its
   * direction, since the browser's leg is terminated in the gateway and needs no new negotiation; the
   * relay stops sending towards a trunk that does not receive.
   */
  private void answerTrunkLocally(Call call, ServerTransaction st, Request request, String sdp) {
    SdpRewriter.Audio audio = SdpRewriter.audio(sdp);
    if (!SdpRewriter.hasG711(audio)) {
      b2bua.notAcceptable(st, request, "neither PCMU nor PCMA offered");
      return;
    }
    try {
      call.relay.b().remote(audio);
      String answer = SdpRewriter.withDirection(SdpRewriter.rewrite(sdp, b2bua.sip.host, call.relay.b().localPort(),
          B2bua.sessionNumber(call), ++call.bSdpVersion, audio.rtcpMux()), SdpRewriter.answering(audio.direction()));
      Response ok = b2bua.responses.create(Response.OK, request, null);
      ok.addHeader(b2bua.sip.contact("udp"));
      ok.setContent(answer, b2bua.sip.headers.createContentTypeHeader("application", "sdp"));
      call.bLastSentSdp = answer;
      b2bua.responses.send(st, ok);
    } catch (Exception e) {
      LOG.log(Level.FINE, "cannot answer the trunk's offer", e);
      b2bua.responses.send(st, request, Response.SERVER_INTERNAL_ERROR, null);
    }
  }

  private void answerLocally(Call call, ServerTransaction st, Request request, boolean fromA) {
    try {
      Response ok = b2bua.responses.create(Response.OK, request, null);
      ok.addHeader(b2bua.sip.contact(fromA ? B2bua.transportOf(call.aRequest) : "udp"));
      if (fromA && call.sessionExpiresSeconds > 0) {
        ok.setHeader(b2bua.sip.headers.createHeader(SessionExpiresHeader.NAME,
            call.sessionExpiresSeconds + ";refresher=" + (call.gatewayRefreshes ? "uas" : "uac")));
        if (call.aSupportsTimer) ok.addHeader(b2bua.sip.headers.createRequireHeader("timer"));
      }
      if (Request.INVITE.equals(request.getMethod())) {
        String last = fromA ? call.aLastSentSdp : call.bLastSentSdp;
        if (last != null) ok.setContent(last, b2bua.sip.headers.createContentTypeHeader("application", "sdp"));
      }
      b2bua.responses.send(st, ok);
    } catch (Exception e) {
      b2bua.responses.send(st, request, Response.SERVER_INTERNAL_ERROR, null);
    }
  }

  /** The gateway refreshes the caller's session (refresher=uas): UPDATE if allowed, else re-INVITE. */
  void refreshA(Call call) {
    Dialog d = call.aDialog;
    if (d == null) return;
    try {
      String method = call.aAllowsUpdate ? Request.UPDATE : Request.INVITE;
      Request refresh = d.createRequest(method);
      refresh.setHeader(b2bua.sip.headers.createHeader(SessionExpiresHeader.NAME,
          call.sessionExpiresSeconds + ";refresher=uas"));
      refresh.setHeader(b2bua.sip.contact(B2bua.transportOf(call.aRequest)));
      if (method.equals(Request.INVITE) && call.aLastSentSdp != null) {
        refresh.setContent(call.aLastSentSdp, b2bua.sip.headers.createContentTypeHeader("application", "sdp"));
      }
      if (call.browserOffer != null) b2bua.backOverTheWebSocket(call, refresh);
      ClientTransaction ct = b2bua.sip.provider.getNewClientTransaction(refresh);
      call.refreshCt = ct;
      d.sendRequest(ct);
    } catch (Exception e) {
      b2bua.end(call, EndReason.ERROR, 0);
    }
  }

  void onResponse(Call call, ClientTransaction ct, Response r, String method) {
    int code = r.getStatusCode();
    if (code < 200) return;
    if (code < 300 && Request.INVITE.equals(method) && ct != null && ct.getDialog() != null) {
      try {
        ct.getDialog().sendAck(ct.getDialog().createAck(((CSeqHeader) r.getHeader(CSeqHeader.NAME)).getSeqNumber()));
      } catch (Exception e) {
        LOG.log(Level.FINE, "ACK failed", e);
      }
    }
    if (ct != null && ct == call.refreshCt) {
      call.refreshCt = null;
      if (code >= 300) b2bua.endLost(call); // 408/481: the caller is gone (RFC 4028 10)
      else SessionTimers.restart(b2bua, call);
      return;
    }
    if (ct == null || ct != call.modifyCt || call.pendingModify == null) return;
    ServerTransaction pending = call.pendingModify;
    boolean fromA = call.pendingModifyFromA;
    call.pendingModify = null;
    call.modifyCt = null;
    if (code >= 300) {
      b2bua.responses.send(pending, pending.getRequest(), B2bua.relayedFailure(code) == 500 && code == 491 ? 491
          : code == 491 || code == 488 ? code : Response.SERVER_INTERNAL_ERROR, null);
      return;
    }
    String sdp = B2bua.body(r);
    SdpRewriter.Audio audio = SdpRewriter.audio(sdp);
    try {
      Response ok = b2bua.responses.create(Response.OK, pending.getRequest(), null);
      ok.addHeader(b2bua.sip.contact(fromA ? B2bua.transportOf(call.aRequest) : "udp"));
      if (fromA && call.sessionExpiresSeconds > 0) {
        ok.setHeader(b2bua.sip.headers.createHeader(SessionExpiresHeader.NAME,
            call.sessionExpiresSeconds + ";refresher=" + (call.gatewayRefreshes ? "uas" : "uac")));
        if (call.aSupportsTimer) ok.addHeader(b2bua.sip.headers.createRequireHeader("timer"));
      }
      if (SdpRewriter.hasG711(audio)) {
        MediaLeg answerer = fromA ? call.relay.b() : call.relay.a();
        MediaLeg asker = fromA ? call.relay.a() : call.relay.b();
        answerer.remote(audio);
        long version = fromA ? ++call.aSdpVersion : ++call.bSdpVersion;
        // a browser asker gets its own leg's answer, in the direction the trunk answered
        String rewritten = fromA && call.web != null
            ? call.web.answerSdp(B2bua.sessionNumber(call), version, audio.direction())
            : SdpRewriter.rewrite(sdp, b2bua.sip.host, asker.localPort(), B2bua.sessionNumber(call), version,
                asker.rtcpMux());
        ok.setContent(rewritten, b2bua.sip.headers.createContentTypeHeader("application", "sdp"));
        if (fromA) call.aLastSentSdp = rewritten;
        else call.bLastSentSdp = rewritten;
      }
      b2bua.responses.send(pending, ok);
    } catch (Exception e) {
      b2bua.responses.send(pending, pending.getRequest(), Response.SERVER_INTERNAL_ERROR, null);
    }
  }

  void onTimeout(Call call, ClientTransaction ct) {
    if (ct == call.refreshCt) {
      call.refreshCt = null;
      b2bua.end(call, EndReason.ERROR, 0);
    } else if (ct == call.modifyCt && call.pendingModify != null) {
      ServerTransaction pending = call.pendingModify;
      call.pendingModify = null;
      call.modifyCt = null;
      b2bua.responses.send(pending, pending.getRequest(), Response.REQUEST_TIMEOUT, null);
    }
  }
}
