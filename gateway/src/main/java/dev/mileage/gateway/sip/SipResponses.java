package dev.mileage.gateway.sip;

import javax.sip.ServerTransaction;
import javax.sip.SipProvider;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Sending responses without letting a dead transaction (a CANCEL race, a closed connection) throw. */
final class SipResponses {
  private static final Logger LOG = Logger.getLogger(SipResponses.class.getName());
  static final String SERVER = "mileage-gateway";
  static final String ALLOW = "INVITE, ACK, CANCEL, BYE, OPTIONS, UPDATE, PRACK, REGISTER";
  static final String SUPPORTED = "100rel, timer";

  private static final java.security.SecureRandom TAGS = new java.security.SecureRandom();
  private final SipEndpoint sip;

  SipResponses(SipEndpoint sip) {
    this.sip = sip;
  }

  Response create(int code, Request request, String toTag) {
    try {
      Response r = sip.messages.createResponse(code, request);
      ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
      if (code > 100 && to != null && to.getTag() == null) {
        // RFC 3261 8.2.6.2: every response but 100 carries a To tag; ours for the call, else a fresh one
        to.setTag(toTag != null ? toTag : Long.toHexString(TAGS.nextLong()));
      }
      r.setHeader(sip.headers.createServerHeader(java.util.List.of(SERVER)));
      return r;
    } catch (Exception e) {
      throw new IllegalStateException("cannot build a " + code + " response", e);
    }
  }

  /** Sends statefully on {@code st} (or creates it); answers false if the transaction is gone. */
  boolean send(ServerTransaction st, Response response) {
    try {
      st.sendResponse(response);
      return true;
    } catch (Exception e) {
      LOG.log(Level.FINE, "response not sent", e);
      return false;
    }
  }

  boolean send(ServerTransaction st, Request request, int code, String toTag) {
    return send(st, create(code, request, toTag));
  }

  /** Statelessly (no transaction exists or can be made, e.g. a retransmission race). */
  void sendStateless(SipProvider provider, Response response) {
    try {
      provider.sendResponse(response);
    } catch (Exception e) {
      LOG.log(Level.FINE, "stateless response not sent", e);
    }
  }

  void allow(Response r) throws java.text.ParseException {
    r.setHeader(sip.headers.createAllowHeader(ALLOW));
  }
}
