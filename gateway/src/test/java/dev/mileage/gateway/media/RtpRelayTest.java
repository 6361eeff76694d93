package dev.mileage.gateway.media;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plain-RTP relay on its {@link MediaIo} thread over real loopback sockets: both directions through
 * one port, the filter and the source latch, RTCP on P + 1, the port pool's accounting, and ports that are
 * really free after close. {@link SharedPortRelayTest} covers attribution by source and RTCP multiplexing.
 */
class RtpRelayTest {
  static final int WAIT_MS = 5_000;
  static Vertx vertx;
  static MediaIo io;
  static PortPool ports;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    io = new MediaIo("media-io-test", 2);
    // below the gateway's default media range (20000-59998): a gateway running a load on this host holds its start
    int base = 10_000 + 2 * ThreadLocalRandom.current().nextInt(4_800);
    ports = new PortPool(vertx, "127.0.0.1", base, base + 400);
  }

  @AfterAll
  static void stop() {
    io.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  static byte[] rtp(int payloadType, int sequence) {
    byte[] p = new byte[12 + 160];
    p[0] = (byte) 0x80;
    p[1] = (byte) payloadType;
    p[2] = (byte) (sequence >> 8);
    p[3] = (byte) sequence;
    p[20] = (byte) sequence;
    return p;
  }

  static void send(DatagramSocket from, byte[] data, int port) throws Exception {
    from.send(new DatagramPacket(data, data.length, new InetSocketAddress("127.0.0.1", port)));
  }

  static DatagramPacket receive(DatagramSocket at) throws Exception {
    DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
    at.receive(p);
    return p;
  }

  static DatagramSocket endpoint(int timeoutMs) throws SocketException {
    DatagramSocket s = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    s.setSoTimeout(timeoutMs);
    return s;
  }

  /** The "passed" count of {@code node} once it reaches {@code expected}, or what it is after {@link #WAIT_MS}. */
  static long countReaches(MediaCounters counters, String node, long expected) throws InterruptedException {
    long deadline = System.nanoTime() + WAIT_MS * 1_000_000L;
    while (counters.get(node, "passed") < expected && System.nanoTime() < deadline) Thread.sleep(1);
    return counters.get(node, "passed");
  }

  /**
   * Neither leg multiplexes: RTCP on P + 1 (bound as soon as a leg's SDP says so) goes to the port a leg's SDP
   * names in a=rtcp (RFC 3605), else to RTP + 1, and both legs share P + 1 as they share P.
   */
  @Test
  void rtcpGoesToTheSdpsRtcpPortOrRtpPlusOne() throws Exception {
    MediaCounters counters = new MediaCounters();
    RtpRelay relay = RtpRelay.open(ports, io, counters, System::currentTimeMillis).toCompletionStage().toCompletableFuture().join();
    int p = relay.port();
    DatagramSocket[] trunkPair = rtpRtcpPair();
    try (DatagramSocket phoneRtp = endpoint(WAIT_MS); DatagramSocket phoneRtcp = endpoint(WAIT_MS);
         DatagramSocket trunkRtp = trunkPair[0]; DatagramSocket trunkRtcp = trunkPair[1]) {
      SdpRewriter.Audio phone = SdpRewriter.audio("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
          + "m=audio " + phoneRtp.getLocalPort() + " RTP/AVP 0\r\na=rtcp:" + phoneRtcp.getLocalPort() + "\r\n");
      assertEquals(phoneRtcp.getLocalPort(), phone.rtcpPort());
      relay.a().remote(phone);
      assertTrue(relay.rtcpPortBound(), "the caller does not multiplex: P + 1 is bound right away");
      relay.b().remote("127.0.0.1", trunkRtp.getLocalPort(), Set.of(0), true);
      assertEquals(phoneRtcp.getLocalPort(), relay.a().sdpRtcpPort());
      assertEquals(trunkRtp.getLocalPort() + 1, relay.b().sdpRtcpPort(), "no a=rtcp: RTP + 1");
      byte[] report = {(byte) 0x80, (byte) 200, 0, 1, 0, 0, 0, 7};
      send(trunkRtcp, report, p + 1);
      DatagramPacket atPhone = receive(phoneRtcp);
      assertArrayEquals(report, java.util.Arrays.copyOf(atPhone.getData(), atPhone.getLength()));
      assertEquals(p + 1, atPhone.getPort(), "from the gateway's RTCP port P + 1");
      assertEquals(1, countReaches(counters, "b.rtcp", 1));
      // the other way, to the trunk's RTP + 1; what is not RTCP is dropped
      send(phoneRtcp, rtp(0, 9), p + 1);
      byte[] bye = {(byte) 0x81, (byte) 203, 0, 1, 0, 0, 0, 7};
      send(phoneRtcp, bye, p + 1);
      DatagramPacket atTrunk = receive(trunkRtcp);
      assertArrayEquals(bye, java.util.Arrays.copyOf(atTrunk.getData(), atTrunk.getLength()), "only the RTCP BYE");
      assertEquals(p + 1, atTrunk.getPort());
      assertEquals(1, counters.get("a.rtcp", "dropped"));
    } finally {
      relay.close();
    }
    awaitFree(p);
    awaitFree(p + 1);
  }

  /** A peer's RTP socket and its RTCP socket on RTP + 1 (RFC 3550 11), both free ports of loopback. */
  static DatagramSocket[] rtpRtcpPair() throws SocketException {
    for (int attempt = 0; attempt < 50; attempt++) {
      DatagramSocket rtp = endpoint(WAIT_MS);
      try {
        DatagramSocket rtcp = new DatagramSocket(new InetSocketAddress("127.0.0.1", rtp.getLocalPort() + 1));
        rtcp.setSoTimeout(WAIT_MS);
        return new DatagramSocket[] {rtp, rtcp};
      } catch (SocketException taken) {
        rtp.close();
      }
    }
    throw new SocketException("no free RTP/RTCP pair on loopback");
  }

  /** Waits (bounded) until {@code port} can be bound again: the I/O thread let go of its closed channel. */
  static void awaitFree(int port) throws Exception {
    long deadline = System.nanoTime() + WAIT_MS * 1_000_000L;
    while (true) {
      try (DatagramSocket again = new DatagramSocket(new InetSocketAddress("127.0.0.1", port))) {
        return;
      } catch (SocketException stillHeld) {
        if (System.nanoTime() > deadline) throw stillHeld;
        Thread.sleep(10);
      }
    }
  }

  @Test
  void forwardsBothWaysFiltersAndLatches() throws Exception {
    MediaCounters counters = new MediaCounters();
    RtpRelay relay = RtpRelay.open(ports, io, counters, System::currentTimeMillis).toCompletionStage().toCompletableFuture().join();
    try (DatagramSocket phone = endpoint(WAIT_MS); DatagramSocket trunk = endpoint(WAIT_MS);
         DatagramSocket stranger = endpoint(300)) {
      relay.a().remote("127.0.0.1", phone.getLocalPort(), Set.of(0, 101), true);
      relay.b().remote("127.0.0.1", trunk.getLocalPort(), Set.of(0, 101), true);

      send(phone, rtp(0, 1), relay.a().localPort());
      DatagramPacket atTrunk = receive(trunk);
      assertArrayEquals(rtp(0, 1), java.util.Arrays.copyOf(atTrunk.getData(), atTrunk.getLength()));
      assertEquals(relay.port(), atTrunk.getPort(), "the trunk hears the gateway's port, not the phone");
      assertEquals(relay.a().localPort(), relay.b().localPort(), "one port for both legs");

      send(trunk, rtp(101, 2), relay.port());
      DatagramPacket atPhone = receive(phone);
      assertEquals(2, atPhone.getData()[20]);
      assertEquals(relay.a().localPort(), atPhone.getPort());

      // a payload type the SDP did not name, and a second source on the latched host: both dropped
      send(phone, rtp(8, 3), relay.a().localPort());
      send(stranger, rtp(0, 4), relay.a().localPort());
      send(phone, rtp(0, 5), relay.a().localPort());
      assertEquals(5, receive(trunk).getData()[20], "only the phone's PCMU packet passes");
      assertEquals(1, counters.get("a.filter", "dropped"));
      assertEquals(1, counters.get("a.latch", "dropped"));
      // a send is counted after it left, so the packet can arrive before the count: wait for it (bounded)
      assertEquals(2, countReaches(counters, "b.send", 2));
      assertEquals(1, countReaches(counters, "a.send", 1));
      assertTrue(relay.lastHeardMs() > 0);
    } finally {
      relay.close();
    }
  }

  @Test
  void holdStopsForwardingAndCloseFreesThePorts() throws Exception {
    int before = ports.inUse();
    RtpRelay relay = RtpRelay.open(ports, io, new MediaCounters(), System::currentTimeMillis)
        .toCompletionStage().toCompletableFuture().join();
    assertEquals(before + 1, ports.inUse(), "one port pair per call");
    int aPort = relay.port();
    try (DatagramSocket phone = endpoint(300); DatagramSocket trunk = endpoint(300)) {
      relay.a().remote("127.0.0.1", phone.getLocalPort(), Set.of(0), true);
      relay.b().remote("127.0.0.1", trunk.getLocalPort(), Set.of(0), false); // the trunk put the call on hold
      send(phone, rtp(0, 1), aPort);
      assertThrows(SocketTimeoutException.class, () -> receive(trunk), "nothing is sent to a side on hold");
    }
    relay.close();
    relay.close(); // idempotent
    assertEquals(before, ports.inUse());
    // the I/O thread lets go of the closed channels on its next turn: P and P + 1 can be bound again
    awaitFree(aPort);
    awaitFree(aPort + 1);
  }

  @Test
  void rejectsAnOutOfRangeThreadCount() {
    assertThrows(IllegalArgumentException.class, () -> new MediaIo("x", 0));
    assertThrows(IllegalArgumentException.class, () -> new MediaIo("x", MediaIo.THREADS_MAX + 1));
  }
}
