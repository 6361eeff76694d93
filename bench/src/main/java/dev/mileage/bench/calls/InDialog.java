package dev.mileage.bench.calls;

import java.util.ArrayList;
import java.util.List;
import java.util.ListIterator;
import java.util.Locale;
import javax.sip.SipProvider;
import javax.sip.address.URI;
import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.ContactHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.RecordRouteHeader;
import javax.sip.header.RouteHeader;
import javax.sip.header.ToHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;

/**
 * The dialog a 2xx to our INVITE established, kept by hand (RFC 3261 12.1.2 and 12.2.1.1): remote target from
 * the Contact, route set from the Record-Route in reverse, tags from From/To. The generator runs jain-sip
 * without its dialog layer, whose state after a digest-challenged INVITE (same Call-ID and From tag, a new
 * transaction) was not reliable under load; requests here are plain and cheap to build.
 */
final class InDialog {
  private final UacEngine engine;
  private final UacEngine.Source source;
  private final URI remoteTarget;
  private final List<String> routeSet;
  private final CallIdHeader callId;
  private final FromHeader from;
  private final ToHeader to;
  private final long inviteSeq;
  private final Request ack;

  InDialog(UacEngine engine, UacEngine.Source source, Response ok, URI requestUri) throws Exception {
    this.engine = engine;
    this.source = source;
    ContactHeader contact = (ContactHeader) ok.getHeader(ContactHeader.NAME);
    this.remoteTarget = contact != null ? (URI) contact.getAddress().getURI().clone() : requestUri;
    List<String> routes = new ArrayList<>();
    ListIterator<?> rr = ok.getHeaders(RecordRouteHeader.NAME);
    while (rr.hasNext()) routes.add(0, ((RecordRouteHeader) rr.next()).getAddress().toString());
    this.routeSet = List.copyOf(routes);
    this.callId = (CallIdHeader) ok.getHeader(CallIdHeader.NAME);
    this.from = (FromHeader) ok.getHeader(FromHeader.NAME);
    this.to = (ToHeader) ok.getHeader(ToHeader.NAME);
    this.inviteSeq = ((CSeqHeader) ok.getHeader(CSeqHeader.NAME)).getSeqNumber();
    this.ack = request(Request.ACK, inviteSeq);
  }

  private Request request(String method, long seq) throws Exception {
    String transport = engine.settings().transport().name().toLowerCase(Locale.ROOT);
    ViaHeader via = engine.headers.createViaHeader(source.host(), source.port(), transport, UacEngine.newBranch());
    Request request = engine.messages.createRequest((URI) remoteTarget.clone(), method,
        (CallIdHeader) callId.clone(), engine.headers.createCSeqHeader(seq, method), (FromHeader) from.clone(),
        (ToHeader) to.clone(), List.of(via), engine.headers.createMaxForwardsHeader(70));
    for (String route : routeSet) {
      request.addHeader((RouteHeader) engine.headers.createRouteHeader(engine.addresses.createAddress(route)));
    }
    return request;
  }

  /** ACK for the 2xx (again, for a retransmitted 2xx): stateless, as RFC 3261 17.1.1.3 wants for 2xx. */
  void sendAck() throws Exception {
    source.provider().sendRequest((Request) ack.clone());
  }

  void sendBye() throws Exception {
    SipProvider provider = source.provider();
    provider.getNewClientTransaction(request(Request.BYE, inviteSeq + 1)).sendRequest();
  }

  /** A 2xx for a call we already gave up: ACK it and hang up at once, so nothing is left up and billing. */
  static void ackAndHangUp(UacEngine engine, UacEngine.Source source, Response ok) {
    try {
      InDialog dialog = new InDialog(engine, source, ok, null);
      dialog.sendAck();
      dialog.sendBye();
    } catch (Exception e) {
      engine.showError("late answer not hung up", e);
    }
  }
}
