package dev.mileage.bench.calls;

import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.RouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * The dialog a 2xx to our INVITE established, kept by hand (RFC 3261 12.1.2 and 12.2.1.1): remote target from
 * the Contact, route set from the Record-Route in reverse, tags from From/To. The generator runs jain-sip
 * without its dialog layer (and without its transactions): requests here are plain and cheap to build. The
 * 2xx's own parsed From, To and Call-ID header objects are reused, never mutated.
 */
final class InDialog {
  private final UacEngine engine;
  private final UacEngine.Source source;
  private final URI remoteTarget;
  private final List<RouteHeader> routeSet;
  private final CallIdHeader callId;
  private final FromHeader from;
  private final ToHeader to;
  private final long inviteSeq;
  private final Request ack;

  InDialog(UacEngine engine, UacEngine.Source source, Response ok, URI requestUri) throws Exception {
    this.engine = engine;
    this.source = source;
    ContactHeader contact = (ContactHeader) ok.getHeader(ContactHeader.NAME);
    this.remoteTarget = contact != null ? contact.getAddress().getURI() : requestUri;
    if (remoteTarget == null) throw new IllegalArgumentException("a 2xx without Contact");
    List<RouteHeader> routes = new ArrayList<>(0);
    ListIterator<?> rr = ok.getHeaders(RecordRouteHeader.NAME);
    while (rr.hasNext()) routes.add(0, engine.headers.createRouteHeader(((RecordRouteHeader) rr.next()).getAddress()));
    this.routeSet = List.copyOf(routes);
    this.callId = (CallIdHeader) ok.getHeader(CallIdHeader.NAME);
    this.from = (FromHeader) ok.getHeader(FromHeader.NAME);
    this.to = (ToHeader) ok.getHeader(ToHeader.NAME);
    this.inviteSeq = ((CSeqHeader) ok.getHeader(CSeqHeader.NAME)).getSeqNumber();
    this.ack = request(Request.ACK, inviteSeq);
  }

  private Request request(String method, long seq) throws Exception {
    Request request = engine.messages.createRequest(remoteTarget, method, callId,
        engine.headers.createCSeqHeader(seq, method), from, to, List.of(engine.via(source)), engine.maxForwards());
    for (RouteHeader route : routeSet) request.addHeader(route);
    return request;
  }

  /** ACK for the 2xx (again, for a retransmitted 2xx): end to end and never retransmitted by itself (17.1.1.3). */
  void sendAck() {
    if (!engine.send(source, ack)) engine.ackErrors.increment();
  }

  /** The BYE of this dialog; the caller sends it and keeps its retransmission timers. */
  Request bye() throws Exception {
    return request(Request.BYE, inviteSeq + 1);
  }

  /** A 2xx for a call we no longer track: ACK it and hang up at once, so nothing is left up and billing. */
  static void ackAndHangUp(UacEngine engine, UacEngine.Source source, Response ok) {
    try {
      InDialog dialog = new InDialog(engine, source, ok, null);
      dialog.sendAck();
      engine.send(source, dialog.bye());
    } catch (Exception e) {
      engine.showError("late answer not hung up", e);
    }
  }
}
