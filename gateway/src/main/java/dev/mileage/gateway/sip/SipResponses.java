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

  private final SipEndpoint sip;

  SipResponses(SipEndpoint sip) {
    this.sip = sip;
  }

  Response create(int code, Request request, String toTag) {
    try {
      Response r = sip.messages.createResponse(code, request);
      if (toTag != null && code > 100) {
        ToHeader to = (ToHeader) r.getHeader(ToHeader.NAME);
        if (to.getTag() == null) to.setTag(toTag);
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
