package dev.mileage.bench.calls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.ArrayList;
import java.util.List;
import javax.sip.SipFactory;
import javax.sip.address.AddressFactory;
import javax.sip.header.HeaderFactory;
import javax.sip.message.Request;
import org.junit.jupiter.api.Test;

/** The generator's own RFC 3261 17.1 client transaction timers, on a made-up clock (no waiting). */
class ClientTxTest {
  private static final long MS = 1_000_000L;

  private static Request request(String method) throws Exception {
    SipFactory f = SipFactory.getInstance();
    f.setPathName("gov.nist");
    AddressFactory a = f.createAddressFactory();
    HeaderFactory h = f.createHeaderFactory();
    return f.createMessageFactory().createRequest(a.createSipURI("b", "127.0.0.1"), method,
        h.createCallIdHeader("c@127.0.0.1"), h.createCSeqHeader(1L, method),
        h.createFromHeader(a.createAddress(a.createSipURI("a", "127.0.0.1")), "t"),
        h.createToHeader(a.createAddress(a.createSipURI("b", "127.0.0.1")), null),
        List.of(h.createViaHeader("127.0.0.1", 5060, "udp", "z9hG4bKx")), h.createMaxForwardsHeader(70));
  }

  /** The instants (ms) at which the transaction resends, and when it times out, stepping 1 ms up to 40 s. */
  private static List<Long> run(ClientTx tx, long provisionalAtMs) {
    List<Long> events = new ArrayList<>();
    tx.sent(0);
    for (long t = 0; t <= 40_000; t++) {
      if (t == provisionalAtMs) tx.provisional();
      switch (tx.due(t * MS)) {
        case RESEND -> events.add(t);
        case TIMEOUT -> events.add(-t);
        default -> { }
      }
    }
    return events;
  }

  @Test
  void inviteOverUdpDoublesFromT1AndTimesOutAtTimerB() throws Exception {
    assertEquals(List.of(500L, 1_500L, 3_500L, 7_500L, 15_500L, 31_500L, -32_000L),
        run(new ClientTx(request(Request.INVITE), false), -1));
  }

  @Test
  void aProvisionalResponseStopsInviteRetransmissionsAndTimerB() throws Exception {
    ClientTx tx = new ClientTx(request(Request.INVITE), false);
    assertEquals(List.of(500L, 1_500L), run(tx, 2_000));
    assertEquals(Long.MAX_VALUE, tx.nextNanos(), "the call's setup deadline takes over");
  }

  @Test
  void nonInviteRetransmissionsCapAtT2AndTimeOutAtTimerF() throws Exception {
    assertEquals(List.of(500L, 1_500L, 3_500L, 7_500L, 11_500L, 15_500L, 19_500L, 23_500L, 27_500L, 31_500L,
        -32_000L), run(new ClientTx(request(Request.BYE), false), -1));
  }

  @Test
  void overTcpNothingIsResentButTheTimeoutStays() throws Exception {
    assertEquals(List.of(-32_000L), run(new ClientTx(request(Request.BYE), true), -1));
  }

  @Test
  void aFinalResponseEndsTheTimers() throws Exception {
    ClientTx tx = new ClientTx(request(Request.INVITE), false);
    tx.sent(0);
    tx.completed();
    assertFalse(tx.pending());
    assertEquals(ClientTx.Due.NOTHING, tx.due(60_000 * MS));
  }
}
