package dev.mileage.gateway.media;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * The media port pool against ports another process holds (another gateway allocating from the same range):
 * a held block longer than {@link PortPool#BIND_ATTEMPTS_MAX} ports is left behind, every free port of the
 * range is still handed out, and exhaustion is a clear failure.
 */
class PortPoolTest {
  static final int SLOTS = 64;
  static final int HELD_SLOTS = 48;

  @Test
  void aHeldBlockLongerThanTheAttemptsIsSkippedAndEveryFreePortIsUsed() throws Exception {
    List<DatagramChannel> held = new ArrayList<>();
    List<DatagramChannel> ours = new ArrayList<>();
    int base = freeRange();
    PortPool pool = new PortPool(null, "127.0.0.1", base, base + 2 * (SLOTS - 1));
    try {
      for (int slot = 0; slot < HELD_SLOTS; slot++) held.add(bind(base + 2 * slot)); // someone else's block
      Set<Integer> got = new HashSet<>();
      for (int i = 0; i < SLOTS - HELD_SLOTS; i++) {
        DatagramChannel c = pool.bindChannel();
        ours.add(c);
        int port = ((InetSocketAddress) c.getLocalAddress()).getPort();
        assertTrue(port >= base + 2 * HELD_SLOTS, "a port outside the held block: " + port);
        got.add(port);
      }
      assertEquals(SLOTS - HELD_SLOTS, got.size(), "every free port, each once");
      assertEquals(SLOTS - HELD_SLOTS, pool.inUse(), "held ports that failed to bind are not counted as ours");
      IOException full = assertThrows(IOException.class, pool::bindChannel);
      assertEquals("no free media port", full.getMessage());
      for (DatagramChannel c : ours) pool.release(c);
      assertEquals(0, pool.inUse());
      ours.clear();
      for (int i = 0; i < SLOTS - HELD_SLOTS; i++) ours.add(pool.bindChannel()); // released ports come back
      assertEquals(SLOTS - HELD_SLOTS, pool.inUse());
    } finally {
      for (DatagramChannel c : held) c.close();
      for (DatagramChannel c : ours) pool.release(c);
    }
    assertEquals(0, pool.inUse());
    assertFalse(ours.isEmpty());
  }

  /** P + 1 is reserved with P: bound beside it on demand, counted, and both free again on release. */
  @Test
  void rtcpBesideAnRtpPortIsReservedCountedAndReleased() throws Exception {
    int base = freeRange();
    PortPool pool = new PortPool(null, "127.0.0.1", base, base + 2 * (SLOTS - 1));
    DatagramChannel rtp = pool.bindChannel();
    int p = ((InetSocketAddress) rtp.getLocalAddress()).getPort();
    assertEquals(0, p & 1, "RTP on an even port");
    DatagramChannel rtcp = pool.bindRtcp(p);
    assertEquals(p + 1, ((InetSocketAddress) rtcp.getLocalAddress()).getPort());
    assertEquals(1, pool.inUse(), "one pair of the range");
    assertEquals(2, pool.socketsOpen());
    assertThrows(IllegalArgumentException.class, () -> pool.bindRtcp(p + 2), "not a port of a call");
    assertThrows(IllegalArgumentException.class, () -> pool.bindRtcp(p + 1), "odd");
    pool.release(rtcp);
    pool.release(rtcp); // idempotent
    assertEquals(1, pool.inUse(), "P stays taken while its call lasts");
    assertEquals(1, pool.socketsOpen());
    DatagramChannel again = pool.bindRtcp(p);
    pool.release(again);
    pool.release(rtp);
    assertEquals(0, pool.inUse());
    assertEquals(0, pool.socketsOpen());
    bind(p).close();
    bind(p + 1).close();
    assertThrows(IllegalArgumentException.class, () -> pool.bindRtcp(p), "released: no longer a call's");
  }

  private static DatagramChannel bind(int port) throws IOException {
    DatagramChannel c = DatagramChannel.open();
    c.bind(new InetSocketAddress("127.0.0.1", port));
    return c;
  }

  /** A range of 2 x SLOTS ports below the ephemeral range that nobody holds right now (tests run in parallel). */
  private static int freeRange() throws IOException {
    for (int attempt = 0; attempt < 50; attempt++) {
      int base = 10_000 + 2 * ThreadLocalRandom.current().nextInt(5_000);
      List<DatagramChannel> probe = new ArrayList<>();
      try {
        for (int port = base; port < base + 2 * SLOTS; port += 2) probe.add(bind(port));
        return base;
      } catch (BindException taken) {
        // try another range
      } finally {
        for (DatagramChannel c : probe) c.close();
      }
    }
    throw new IOException("no free range of " + SLOTS + " even UDP ports found");
  }
}
