package dev.mileage.gateway.sip;

import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.ConnectionOrientedMessageChannel;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPEventInterceptor;
import gov.nist.javax.sip.stack.SIPServerTransaction;
import gov.nist.javax.sip.stack.SIPTransactionStack;

import javax.sip.SipProvider;
import javax.sip.SipStack;
import javax.sip.message.Message;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.util.Iterator;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * RFC 3262 3: a PRACK that matches no unacknowledged reliable provisional response gets 481. jain-sip drops such
 * a PRACK on a live dialog without a word (its dialog layer removes the transaction and never tells the
 * listener), so the client retransmits into silence until its transaction times out. Runs after jain-sip has
 * handled each message, on every transport: its UDP channel calls it, and so do the parsers of its stream
 * connections (TCP, TLS, WebSocket: the NIO parser on the stack's dispatch executor, see {@link StreamDispatch}; the
 * blocking one on its reader thread or the post-parsing pool that {@link SipEndpoint} configures). A PRACK on a
 * live dialog whose server transaction is gone was dropped (one handed to us, or a retransmission, still has its
 * transaction) and is answered 481 statelessly: over TCP, TLS and WebSocket on the connection the PRACK came on,
 * over UDP to the Via's received and rport. A failure to check or to answer is logged as a warning (jain-sip's
 * executor would drop it silently).
 * Configured by class name ({@code gov.nist.javax.sip.SIP_EVENT_INTERCEPTOR}), hence public.
 */
public final class UnmatchedPrack implements SIPEventInterceptor {
  private static final Logger LOG = Logger.getLogger(UnmatchedPrack.class.getName());
  private volatile SipStack stack;

  @Override
  public void init(SipStack stack) {
    this.stack = stack;
  }

  @Override
  public void beforeMessage(Message message) {
  }

  @Override
  public void afterMessage(Message message) {
    try {
      answerUnmatched(message);
    } catch (RuntimeException e) {
      // jain-sip runs this on an executor that would swallow it without a word, and the client would hear nothing
      LOG.log(Level.WARNING, "an unmatched PRACK was not checked", e);
    }
  }

  private void answerUnmatched(Message message) {
    if (!(message instanceof SIPRequest prack) || !Request.PRACK.equals(prack.getMethod())) return;
    // the stack of the channel the PRACK came on: known from the first message, unlike init()'s (set later)
    MessageChannel channel = prack.getMessageChannel() instanceof MessageChannel c ? c : null;
    SIPTransactionStack transactions = channel != null ? channel.getSIPStack()
        : stack instanceof SIPTransactionStack s ? s : null;
    if (transactions == null || prack.getTopmostVia() == null) return;
    if (transactions.findTransaction(prack, true) != null) return; // handed to us, or a retransmission
    // handed to us and already answered: over TCP and WebSocket the answer ends its transaction at once (timer J is
    // 0), possibly before this runs; the request keeps its transaction (jain-sip's default RELEASE_REFERENCES_STRATEGY)
    if (prack.getTransaction() instanceof SIPServerTransaction st && st.getLastResponseStatusCode() != 0) return;
    if (transactions.getDialog(prack.getDialogId(true)) == null) return; // no dialog: jain-sip answered 481 itself
    Response r = prack.createResponse(Response.CALL_OR_TRANSACTION_DOES_NOT_EXIST);
    try {
      if (channel instanceof ConnectionOrientedMessageChannel connection) {
        // TCP, TLS, WebSocket: on the connection the PRACK came on (RFC 3261 18.2.2), not one found again by address
        connection.sendMessage((SIPResponse) r);
        return;
      }
      SipStack sipStack = transactions instanceof SipStack own ? own : stack;
      Iterator<?> providers = sipStack == null ? null : sipStack.getSipProviders();
      if (providers == null || !providers.hasNext()) return;
      ((SipProvider) providers.next()).sendResponse(r); // UDP: to the Via's received and rport (RFC 3581)
    } catch (Exception e) {
      LOG.log(Level.WARNING, "481 for an unmatched PRACK not sent: " + e);
    }
  }

  @Override
  public void destroy() {
  }
}
