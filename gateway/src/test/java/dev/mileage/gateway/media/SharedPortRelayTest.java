package dev.mileage.gateway.media;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static dev.mileage.gateway.media.RtpRelayTest.WAIT_MS;
import static dev.mileage.gateway.media.RtpRelayTest.awaitFree;
import static dev.mileage.gateway.media.RtpRelayTest.countReaches;
import static dev.mileage.gateway.media.RtpRelayTest.endpoint;
import static dev.mileage.gateway.media.RtpRelayTest.receive;
import static dev.mileage.gateway.media.RtpRelayTest.rtp;
import static dev.mileage.gateway.media.RtpRelayTest.rtpRtcpPair;
import static dev.mileage.gateway.media.RtpRelayTest.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One port per call for both legs, over real loopback sockets where caller and trunk share a host: datagrams
 * attributed by their source, a NAT'd caller latched, strangers dropped and counted, RTCP multiplexed on P
 * for a leg that negotiated it (RFC 5761) and on P + 1 for one that did not, and the descriptor lease that
 * follows what is bound.
 */
class SharedPortRelayTest {
  static final byte[] RECEIVER_REPORT = {(byte) 0x80, (byte) 201, 0, 1, 0, 0, 0, 9};
  static Vertx vertx;
  static MediaIo io;
  static PortPool ports;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    io = new MediaIo("media-io-shared-test", 2);
    int base = 10_000 + 2 * ThreadLocalRandom.current().nextInt(4_800);
    ports = new PortPool(vertx, "127.0.0.1", base, base + 400);
  }

  @AfterAll
  static void stop() {
    io.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  static RtpRelay open(MediaCounters counters, SocketBudget.Lease lease) {
    return RtpRelay.open(ports, io, counters, System::currentTimeMillis, lease).toCompletionStage().toCompletableFuture().join();
  }

  static byte[] bytes(DatagramPacket p) {
    return Arrays.copyOf(p.getData(), p.getLength());
  }

  @Test
  void aNatCallerIsLatchedOnlyOnceTheTrunkIsKnownAndStrangersAreDroppedAndCounted() throws Exception {
    MediaCounters counters = new MediaCounters();
    RtpRelay relay = open(counters, SocketBudget.unlimited().lease(RtpRelay.SOCKETS_MAX));
    int p = relay.port();
    try (DatagramSocket announced = endpoint(WAIT_MS); DatagramSocket natted = endpoint(WAIT_MS);
         DatagramSocket trunk = endpoint(WAIT_MS); DatagramSocket stranger = endpoint(300)) {
      // the phone's SDP names one port; its NAT sends from another
      relay.a().remote("127.0.0.1", announced.getLocalPort(), Set.of(0), true, 0, true);
      send(natted, rtp(0, 1), p);
      assertEquals(1, waitDropped(counters, "a.latch", 1), "no latching before the trunk's address is known");
      relay.b().remote("127.0.0.1", trunk.getLocalPort(), Set.of(0), true, 0, true);

      send(natted, rtp(0, 2), p);
      DatagramPacket atTrunk = receive(trunk);
      assertEquals(2, atTrunk.getData()[20]);
      assertEquals(p, atTrunk.getPort(), "from the call's one port");
      send(trunk, rtp(0, 3), p);
      DatagramPacket atPhone = receive(natted);
      assertEquals(3, atPhone.getData()[20], "the trunk's audio goes where the caller really is");
      assertEquals(p, atPhone.getPort());

      // once latched nobody else is the caller: not another port, not even the one its SDP named
      send(stranger, rtp(0, 4), p);
      send(announced, rtp(0, 5), p);
      send(natted, rtp(0, 6), p);
      assertEquals(6, receive(trunk).getData()[20], "only the latched caller's packet passed");
      assertEquals(3, waitDropped(counters, "a.latch", 3));
      assertThrows(SocketTimeoutException.class, () -> receive(stranger), "nothing is sent to a stranger");
      assertEquals(2, countReaches(counters, "b.send", 2));
      assertEquals(1, countReaches(counters, "a.send", 1));
    } finally {
      relay.close();
    }
  }

  @Test
  void theTrunkIsOnlyItsSdpAddressAndATrunkSourceNeverLatchesTheCaller() throws Exception {
    MediaCounters counters = new MediaCounters();
    RtpRelay relay = open(counters, SocketBudget.unlimited().lease(RtpRelay.SOCKETS_MAX));
    int p = relay.port();
    try (DatagramSocket phone = endpoint(WAIT_MS); DatagramSocket trunk = endpoint(WAIT_MS);
         DatagramSocket trunkElsewhere = endpoint(300)) {
      relay.a().remote("127.0.0.1", phone.getLocalPort(), Set.of(0), true, 0, true);
      relay.b().remote("127.0.0.1", trunk.getLocalPort(), Set.of(0), true, 0, true);
      send(phone, rtp(0, 1), p); // latches the caller on its SDP address
      assertEquals(1, receive(trunk).getData()[20]);
      // from the trunk's host but not its address: neither leg's, dropped (it is not the caller either)
      send(trunkElsewhere, rtp(0, 2), p);
      send(trunk, rtp(0, 3), p);
      assertEquals(3, receive(phone).getData()[20], "the trunk's own packet passed, the other did not");
      assertEquals(1, waitDropped(counters, "a.latch", 1));
      assertEquals(1, countReaches(counters, "b.latch", 1));
    } finally {
      relay.close();
    }
  }

  @Test
  void rtcpIsMultiplexedOnTheRtpPortWhenBothLegsNegotiatedIt() throws Exception {
    MediaCounters counters = new MediaCounters();
    SocketBudget budget = new SocketBudget(10);
    int openBefore = ports.socketsOpen();
    RtpRelay relay = open(counters, budget.lease(RtpRelay.SOCKETS_MAX));
    int p = relay.port();
    assertEquals(2, budget.held(), "the worst case until both legs are known");
    try (DatagramSocket phone = endpoint(WAIT_MS); DatagramSocket trunk = endpoint(WAIT_MS)) {
      relay.a().remote("127.0.0.1", phone.getLocalPort(), Set.of(0), true, 0, true);
      relay.b().remote("127.0.0.1", trunk.getLocalPort(), Set.of(0), true, 0, true);
      assertFalse(relay.rtcpPortBound(), "both multiplex: no P + 1");
      assertEquals(1, budget.held(), "the lease shrank to the one socket");
      assertEquals(openBefore + 1, ports.socketsOpen(), "one socket for the whole call");

      send(phone, RECEIVER_REPORT, p);
      DatagramPacket atTrunk = receive(trunk);
      assertArrayEquals(RECEIVER_REPORT, bytes(atTrunk), "RTCP reaches the trunk's RTP address");
      assertEquals(p, atTrunk.getPort());
      byte[] sr = {(byte) 0x80, (byte) 200, 0, 1, 0, 0, 0, 5};
      send(trunk, sr, p);
      DatagramPacket atPhone = receive(phone);
      assertArrayEquals(sr, bytes(atPhone));
      assertEquals(p, atPhone.getPort());
      // RTCP is not media: it neither passes the RTP filter nor counts there
      assertEquals(0, counters.get("a.filter", "passed") + counters.get("a.filter", "dropped"));
      assertEquals(1, counters.get("a.rtcp", "passed"));
      assertEquals(1, countReaches(counters, "b.rtcp", 1));
      // audio goes on beside it
      send(phone, rtp(0, 7), p);
      assertEquals(7, receive(trunk).getData()[20]);
    } finally {
      relay.close();
    }
    assertEquals(0, budget.held(), "closing the call gives its lease back");
    assertEquals(openBefore, ports.socketsOpen());
    awaitFree(p);
  }

  @Test
  void aLegThatDoesNotMultiplexGetsItsRtcpOnPPlusOneBoundWhenItsAnswerSaysSo() throws Exception {
    MediaCounters counters = new MediaCounters();
    SocketBudget budget = new SocketBudget(10);
    RtpRelay relay = open(counters, budget.lease(RtpRelay.SOCKETS_MAX));
    int p = relay.port();
    DatagramSocket[] trunkPair = rtpRtcpPair();
    try (DatagramSocket phone = endpoint(WAIT_MS); DatagramSocket trunk = trunkPair[0];
         DatagramSocket trunkRtcp = trunkPair[1]) {
      relay.a().remote("127.0.0.1", phone.getLocalPort(), Set.of(0), true, 0, true);
      assertFalse(relay.rtcpPortBound(), "the caller multiplexes and the trunk has not answered yet");
      // the trunk's answer lacks a=rtcp-mux: P + 1, promised by our offer, is bound now
      relay.b().remote("127.0.0.1", trunk.getLocalPort(), Set.of(0), true, 0, false);
      assertTrue(relay.rtcpPortBound());
      assertEquals(2, budget.held());

      send(phone, RECEIVER_REPORT, p); // muxed from the caller
      DatagramPacket atTrunk = receive(trunkRtcp);
      assertArrayEquals(RECEIVER_REPORT, bytes(atTrunk), "to the trunk's RTP + 1");
      assertEquals(p + 1, atTrunk.getPort(), "from P + 1");
      byte[] sr = {(byte) 0x80, (byte) 200, 0, 1, 0, 0, 0, 5};
      send(trunkRtcp, sr, p + 1);
      DatagramPacket atPhone = receive(phone);
      assertArrayEquals(sr, bytes(atPhone), "to the caller on its RTP address, multiplexed");
      assertEquals(p, atPhone.getPort(), "from P");
      // the trunk does not multiplex: RTCP from it on P is not its to send there
      send(trunk, sr, p);
      assertEquals(1, waitDropped(counters, "b.rtcp", 1));
    } finally {
      relay.close();
    }
    assertEquals(0, budget.held());
    awaitFree(p);
    awaitFree(p + 1);
  }

  @Test
  void whenPPlusOneCannotBeHadRtcpIsNotRelayedAndRtpGoesOn() throws Exception {
    MediaCounters counters = new MediaCounters();
    SocketBudget budget = new SocketBudget(10);
    RtpRelay relay = open(counters, budget.lease(RtpRelay.SOCKETS_MAX));
    int p = relay.port();
    try (DatagramSocket squatter = new DatagramSocket(new java.net.InetSocketAddress("127.0.0.1", p + 1));
         DatagramSocket phone = endpoint(WAIT_MS); DatagramSocket trunk = endpoint(WAIT_MS)) {
      relay.a().remote("127.0.0.1", phone.getLocalPort(), Set.of(0), true, 0, true);
      relay.b().remote("127.0.0.1", trunk.getLocalPort(), Set.of(0), true, 0, false);
      assertFalse(relay.rtcpPortBound(), "another process holds P + 1");
      assertEquals(1, budget.held(), "what could not be bound is not held");
      send(phone, RECEIVER_REPORT, p);
      assertEquals(1, waitDropped(counters, "a.rtcp", 1), "nowhere to send the trunk's RTCP from");
      send(phone, rtp(0, 1), p);
      assertEquals(1, receive(trunk).getData()[20], "RTP goes on");
      send(trunk, rtp(0, 2), p);
      assertEquals(2, receive(phone).getData()[20]);
    } finally {
      relay.close();
    }
    assertEquals(0, budget.held());
  }

  @Test
  void aSpentBudgetRefusesTheCallAndLeavesRtcpUnboundLater() throws Exception {
    SocketBudget budget = new SocketBudget(3);
    SocketBudget.Lease first = budget.lease(RtpRelay.SOCKETS_MAX);
    assertNotNull(first);
    assertNull(budget.lease(RtpRelay.SOCKETS_MAX), "3 - 2 leaves no room for a second call at worst");
    RtpRelay relay = open(new MediaCounters(), first);
    try (DatagramSocket phone = endpoint(WAIT_MS); DatagramSocket trunk = endpoint(WAIT_MS)) {
      relay.a().remote("127.0.0.1", phone.getLocalPort(), Set.of(0), true, 0, true);
      relay.b().remote("127.0.0.1", trunk.getLocalPort(), Set.of(0), true, 0, true);
      assertEquals(1, budget.held());
      SocketBudget.Lease second = budget.lease(RtpRelay.SOCKETS_MAX);
      assertNotNull(second, "the first call's refund makes room");
      // a re-INVITE without rtcp-mux: P + 1 needs a descriptor the budget no longer has
      relay.b().remote("127.0.0.1", trunk.getLocalPort(), Set.of(0), true, 0, false);
      assertFalse(relay.rtcpPortBound());
      assertEquals(3, budget.held());
      second.close();
      second.close();
      assertEquals(1, budget.held(), "closing is idempotent");
    } finally {
      relay.close();
    }
    assertEquals(0, budget.held());
  }

  /** The "dropped" count of {@code node} once it reaches {@code expected}, or what it is after the wait. */
  static long waitDropped(MediaCounters counters, String node, long expected) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT_MS * 1_000_000L;
    while (counters.get(node, "dropped") < expected && System.nanoTime() < deadline) Thread.sleep(1);
    Thread.sleep(20); // a further (wrong) drop would show up now
    return counters.get(node, "dropped");
  }
}
