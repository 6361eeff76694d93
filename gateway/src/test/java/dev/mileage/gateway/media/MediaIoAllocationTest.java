package dev.mileage.gateway.media;

import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The plain-RTP path allocates nothing per packet: a garbage-collection pause stops the media threads
 * with everything else, so a relay that makes garbage at 50,000 packets/s brings pauses into the
 * audio. Measured on the I/O thread itself (the JVM counts the bytes each thread allocates) over
 * real loopback sockets. The old path (a byte[] copy, a Vert.x buffer, a sender address and a packet
 * record per datagram, another copy to send) made 1,059 bytes per packet in this test.
 */
class MediaIoAllocationTest {
  static final String THREAD = "media-io-alloc-test";
  static final int PACKETS = 4_000;
  static final int BURST = 20;
  /** The selector's own per-turn bookkeeping (an iterator, a boxed file descriptor) stays below this. */
  static final long BYTES_PER_PACKET_MAX = 96;

  static Vertx vertx;
  static MediaIo io;
  static PortPool ports;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    io = new MediaIo(THREAD, 1);
    int base = 20_000 + 2 * ThreadLocalRandom.current().nextInt(10_000);
    ports = new PortPool(vertx, "127.0.0.1", base, base + 40);
  }

  @AfterAll
  static void stop() {
    io.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  static long ioThreadAllocatedBytes() {
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long id = Thread.getAllStackTraces().keySet().stream()
        .filter(t -> t.getName().equals(THREAD + "-0")).findFirst().orElseThrow().getId();
    return threads.getThreadAllocatedBytes(id);
  }

  /** Sends {@code count} packets phone -> relay -> trunk in bursts and reads every one at the trunk. */
  static void relay(DatagramSocket phone, DatagramSocket trunk, int relayPort, int count) throws Exception {
    byte[] rtp = RtpRelayTest.rtp(0, 1);
    DatagramPacket out = new DatagramPacket(rtp, rtp.length, new InetSocketAddress("127.0.0.1", relayPort));
    DatagramPacket in = new DatagramPacket(new byte[2048], 2048);
    for (int sent = 0; sent < count; sent += BURST) {
      for (int i = 0; i < BURST; i++) phone.send(out);
      for (int i = 0; i < BURST; i++) {
        trunk.receive(in);
        assertEquals(rtp.length, in.getLength());
      }
    }
  }

  @Test
  void forwardingAllocatesNothingPerPacket() throws Exception {
    MediaCounters counters = new MediaCounters();
    RtpRelay relay = RtpRelay.open(ports, io, counters, System::currentTimeMillis).toCompletionStage().toCompletableFuture().join();
    try (DatagramSocket phone = RtpRelayTest.endpoint(RtpRelayTest.WAIT_MS);
         DatagramSocket trunk = RtpRelayTest.endpoint(RtpRelayTest.WAIT_MS)) {
      relay.a().remote("127.0.0.1", phone.getLocalPort(), Set.of(0), true);
      relay.b().remote("127.0.0.1", trunk.getLocalPort(), Set.of(0), true);
      relay(phone, trunk, relay.a().localPort(), PACKETS); // warm-up: class loading, first compilations

      long before = ioThreadAllocatedBytes();
      relay(phone, trunk, relay.a().localPort(), PACKETS);
      assertEquals(2L * PACKETS, RtpRelayTest.countReaches(counters, "b.send", 2L * PACKETS));
      long perPacket = (ioThreadAllocatedBytes() - before) / PACKETS;
      assertTrue(perPacket <= BYTES_PER_PACKET_MAX, "the media I/O thread allocated " + perPacket + " bytes per packet");
      assertEquals(0, counters.get("a.filter", "dropped") + counters.get("a.latch", "dropped") + counters.get("b.send", "dropped"));
    } finally {
      relay.close();
    }
  }
}
