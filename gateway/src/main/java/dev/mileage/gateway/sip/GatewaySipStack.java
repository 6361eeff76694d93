package dev.mileage.gateway.sip;

import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.header.RetryAfter;
import gov.nist.javax.sip.header.Server;
import gov.nist.javax.sip.message.SIPRequest;
import gov.nist.javax.sip.message.SIPResponse;
import gov.nist.javax.sip.stack.MessageChannel;
import gov.nist.javax.sip.stack.SIPDialog;
import gov.nist.javax.sip.stack.SIPServerTransaction;
import gov.nist.javax.sip.stack.SIPTransaction;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.stack.ServerRequestInterface;
import gov.nist.javax.sip.stack.ServerResponseInterface;
import gov.nist.javax.sip.stack.StackMessageFactory;

import javax.sip.PeerUnavailableException;
import javax.sip.TransactionState;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.util.Properties;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * jain-sip's stack with one RFC 3261 14.2 rule put right in front of its dialog layer: a UAS that receives a
 * second INVITE on a dialog before it has sent the final response to an earlier one (lower CSeq) MUST answer it
 * 500 with a Retry-After of 0 to 10 s chosen at random. jain-sip-ri 1.3.0-91 answers 491 instead, before the
 * listener sees the request: {@code DialogFilter.processRequest} (the INVITE branch) tests for the 500 case with
 * {@code SIPDialog.getInviteTransaction()}, which is only set while a 2xx awaits its ACK, so with the first
 * re-INVITE still in TRYING or PROCEEDING that test fails and the next one ("last transaction is in PROCEEDING
 * state") sends 491, which RFC 3261 14.1 keeps for glare. The stack's request handling is made by its
 * {@link StackMessageFactory} (a protected setter of {@code SIPTransactionStack}); this stack wraps jain-sip's own
 * factory so that exactly that case is answered 500 through the new server transaction, the way {@code DialogFilter}
 * answers its own 500 (pending ACK, response, semaphore released), and every other request goes to
 * {@code DialogFilter} as before. Glare, an INVITE while our own INVITE on the dialog is pending, is left to
 * jain-sip's 491.
 */
final class GatewaySipStack extends SipStackImpl {
  private static final Logger LOG = Logger.getLogger(GatewaySipStack.class.getName());
  /** RFC 3261 14.2: Retry-After "randomly chosen value of between 0 and 10 seconds". */
  static final int RETRY_AFTER_MAX_SECONDS = 10;

  /** Guards {@link #streams} (static: jain-sip's constructor may ask for the executor before fields are set). */
  private static final Object STREAMS_LOCK = new Object();
  /** This stack's own executor for its NIO transports' messages, made at first use (see {@link StreamDispatch}). */
  private volatile StreamDispatch streams;

  GatewaySipStack(Properties properties) throws PeerUnavailableException {
    super(properties);
    setMessageFactory(new SecondInviteFirst(sipMessageFactory, this));
  }

  /**
   * This stack's own executor, not jain-sip's one per JVM: another stack's stop cannot shut it down under this
   * one, and {@link SipIntake} can see what waits in it.
   */
  @Override
  public ScheduledExecutorService getSelfRoutingThreadpoolExecutor() {
    return streamDispatch();
  }

  /** The executor the NIO transports parse and dispatch on, with what waits in it. */
  StreamDispatch streamDispatch() {
    StreamDispatch s = streams;
    if (s != null) return s;
    synchronized (STREAMS_LOCK) {
      if (streams == null) streams = new StreamDispatch(threadPoolSize > 0 ? threadPoolSize : DISPATCH_THREADS_DEFAULT);
      return streams;
    }
  }

  /** jain-sip's own executor's size when {@code THREAD_POOL_SIZE} is not set. */
  private static final int DISPATCH_THREADS_DEFAULT = 16;

  @Override
  public void stop() {
    super.stop();
    StreamDispatch s;
    synchronized (STREAMS_LOCK) {
      s = streams;
    }
    if (s != null) s.shutdown();
  }

  /** jain-sip's message factory, with the second-INVITE rule before its dialog layer. */
  private record SecondInviteFirst(StackMessageFactory jainSip, SIPTransactionStack stack) implements StackMessageFactory {
    @Override
    public ServerRequestInterface newSIPServerRequest(SIPRequest request, SIPTransaction transaction) {
      ServerRequestInterface dialogLayer = jainSip.newSIPServerRequest(request, transaction);
      if (dialogLayer == null || !(transaction instanceof SIPServerTransaction st)) return dialogLayer;
      return (r, channel) -> {
        if (secondInvite(r, st)) refuse(r, st);
        else dialogLayer.processRequest(r, channel);
      };
    }

    @Override
    public ServerResponseInterface newSIPServerResponse(SIPResponse response, MessageChannel channel) {
      return jainSip.newSIPServerResponse(response, channel);
    }

    /**
     * An INVITE on a dialog whose last transaction is an earlier INVITE of the peer's that we have not answered
     * finally (TRYING or PROCEEDING, as in jain-sip's 491 test), and not a retransmission of it.
     */
    private boolean secondInvite(SIPRequest request, SIPServerTransaction st) {
      if (!Request.INVITE.equals(request.getMethod()) || request.getCSeq() == null) return false;
      if (request.getToTag() == null) return false; // not in a dialog
      SIPDialog dialog = stack.getDialog(request.getDialogId(true));
      if (dialog == null) return false;
      SIPTransaction last = dialog.getLastTransaction();
      if (!(last instanceof SIPServerTransaction) || last == st || !last.isInviteTransaction()) return false;
      int state = last.getInternalState();
      return (state == TransactionState._TRYING || state == TransactionState._PROCEEDING)
          && request.getCSeq().getSeqNumber() > last.getCSeq();
    }

    private void refuse(SIPRequest request, SIPServerTransaction st) {
      try {
        SIPResponse r = request.createResponse(Response.SERVER_INTERNAL_ERROR);
        RetryAfter retryAfter = new RetryAfter();
        retryAfter.setRetryAfter(ThreadLocalRandom.current().nextInt(RETRY_AFTER_MAX_SECONDS + 1));
        r.setHeader(retryAfter);
        Server server = new Server();
        server.addProductToken(SipResponses.SERVER);
        r.setHeader(server);
        stack.addTransactionPendingAck(st); // the ACK of this 500 ends the transaction (RFC 3261 17.2.1)
        st.sendResponse(r);
      } catch (Exception e) {
        LOG.log(Level.FINE, "500 for a second INVITE not sent", e);
        stack.removeTransaction(st);
      } finally {
        st.releaseSem();
      }
    }
  }
}
