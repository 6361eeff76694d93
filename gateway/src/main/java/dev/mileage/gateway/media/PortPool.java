package dev.mileage.gateway.media;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.BitSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Media ports from a bounded range (even ports, RFC 3550 convention; the odd port above each stays reserved
 * with it for RTCP, bound only when a call needs it). A port is taken until released;
 * a port another process holds is skipped. Counts the media sockets it has open ({@link #socketsOpen}).
 * Thread safe (the SIP shards share it): every method holds the
 * pool's lock for a bit-set update and at most a bind system call.
 */
public final class PortPool {
  /**
   * Ports tried for one allocation before giving up. Others may hold parts of the range (another gateway on the
   * same host allocating from it too): a port that failed is remembered as {@link #foreign} and skipped, so
   * each such port costs one failed bind (a few microseconds) until the range looks full; with 16 attempts a
   * block of 16 ports held elsewhere made calls fail with 503 while most of the range was free.
   */
  static final int BIND_ATTEMPTS_MAX = 256;
  /** Receive buffer of a media socket: a second of a G.711 stream and then some, for a descheduled reader. */
  static final int RECEIVE_BUFFER_BYTES = 256 * 1024;

  private final Vertx vertx;
  private final String host;
  private final int min;
  private final int slots;
  /** Ports whose bind failed: another process holds them. Marked in {@link #taken} too, not counted in use. */
  private final BitSet foreign;
  private final BitSet taken;
  private int cursor;
  private volatile int inUse;
  /** Sockets open on ports of this pool (RTP, RTCP beside it, browser legs). */
  private volatile int socketsOpen;

  public PortPool(Vertx vertx, String host, int minPort, int maxPort) {
    if (minPort < 1024 || maxPort > 65535 || maxPort - minPort < 2) throw new IllegalArgumentException("bad port range");
    this.vertx = vertx;
    this.host = host;
    this.min = minPort + (minPort & 1);
    this.slots = (maxPort - this.min) / 2 + 1;
    this.taken = new BitSet(slots);
    this.foreign = new BitSet(slots);
    // a random start: several gateways (or test beds) on one host with the default range would otherwise all
    // take the same ports first and collide on every allocation
    this.cursor = ThreadLocalRandom.current().nextInt(slots);
  }

  public int inUse() {
    return inUse;
  }

  /** Media sockets open now, on ports of this pool. */
  public int socketsOpen() {
    return socketsOpen;
  }

  public int capacity() {
    return slots;
  }

  /** A socket bound on a free port of the range; fails when the range is exhausted. */
  public Future<DatagramSocket> bind() {
    Promise<DatagramSocket> p = Promise.promise();
    attempt(p, 0);
    return p.future();
  }

  private synchronized void attempt(Promise<DatagramSocket> p, int tries) {
    if (inUse >= slots || tries >= BIND_ATTEMPTS_MAX) {
      p.fail(new IllegalStateException("no free media port"));
      return;
    }
    int slot = taken.nextClearBit(cursor);
    if (slot >= slots) slot = taken.nextClearBit(0);
    if (slot >= slots) {
      p.fail(new IllegalStateException("no free media port"));
      return;
    }
    cursor = (slot + 1) % slots;
    int port = min + slot * 2;
    taken.set(slot);
    inUse++;
    DatagramSocket socket = vertx.createDatagramSocket(new DatagramSocketOptions().setReceiveBufferSize(RECEIVE_BUFFER_BYTES));
    final int s = slot;
    socket.listen(port, host).onComplete(ar -> {
      if (ar.succeeded()) {
        synchronized (this) {
          socketsOpen++;
        }
        p.complete(ar.result());
      } else {
        // held by someone else: leave it marked only while we try elsewhere, then free the slot
        socket.close();
        attempt(p, tries + 1);
        synchronized (this) {
          taken.clear(s);
          inUse--;
        }
      }
    });
  }

  /**
   * A non-blocking channel bound on a free port of the range, for {@link MediaIo} (binding is one system
   * call, done on the caller's thread); fails when the range is exhausted.
   */
  public synchronized DatagramChannel bindChannel() throws IOException {
    for (int tries = 0; tries < BIND_ATTEMPTS_MAX; tries++) {
      int slot = takeSlot();
      if (slot < 0) break;
      DatagramChannel channel = DatagramChannel.open(host.contains(":") ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
      try {
        channel.setOption(StandardSocketOptions.SO_RCVBUF, RECEIVE_BUFFER_BYTES);
        channel.bind(new InetSocketAddress(host, min + slot * 2));
        channel.configureBlocking(false);
        socketsOpen++;
        return channel;
      } catch (BindException heldBySomeoneElse) {
        channel.close();
        inUse--;
        foreign.set(slot); // stays marked in taken: skipped until the range looks full
      } catch (IOException | RuntimeException e) {
        channel.close();
        freeSlot(slot);
        throw e;
      }
    }
    throw new IOException("no free media port");
  }

  /**
   * RTCP beside a channel of this pool: bound on its RTP port + 1, which was reserved with the RTP port, so
   * only another process can hold it (then this fails). Released with {@link #release(DatagramChannel)},
   * which leaves the RTP port taken.
   */
  public synchronized DatagramChannel bindRtcp(int rtpPort) throws IOException {
    int slot = (rtpPort - min) / 2;
    if (rtpPort < min || (rtpPort & 1) != 0 || slot >= slots || !taken.get(slot) || foreign.get(slot)) {
      throw new IllegalArgumentException("not an RTP port of this pool in use: " + rtpPort);
    }
    DatagramChannel channel = DatagramChannel.open(host.contains(":") ? StandardProtocolFamily.INET6 : StandardProtocolFamily.INET);
    try {
      channel.bind(new InetSocketAddress(host, rtpPort + 1));
      channel.configureBlocking(false);
      socketsOpen++;
      return channel;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /**
   * Closes {@code channel} and frees its port (an RTCP port stays reserved with its RTP port until that is
   * released); idempotent per channel, null is ignored.
   */
  public synchronized void release(DatagramChannel channel) {
    if (channel == null || !channel.isOpen()) return;
    socketsOpen--;
    int port = -1;
    try {
      if (channel.getLocalAddress() instanceof InetSocketAddress local) port = local.getPort();
      channel.close();
    } catch (IOException e) {
      // closing: the port is freed below either way
    }
    int slot = (port - min) / 2;
    if ((port & 1) == 0 && port >= min && slot < slots && taken.get(slot)) freeSlot(slot);
  }

  private int takeSlot() {
    if (inUse >= slots) return -1;
    int slot = nextUnmarked();
    if (slot < 0 && !foreign.isEmpty()) {
      // everything is ours or was held elsewhere: what others held may be free by now
      taken.andNot(foreign);
      foreign.clear();
      slot = nextUnmarked();
    }
    if (slot < 0) return -1;
    cursor = (slot + 1) % slots;
    taken.set(slot);
    inUse++;
    return slot;
  }

  private int nextUnmarked() {
    int slot = taken.nextClearBit(cursor);
    if (slot >= slots) slot = taken.nextClearBit(0);
    return slot < slots ? slot : -1;
  }

  private void freeSlot(int slot) {
    taken.clear(slot);
    inUse--;
  }

  public synchronized void release(DatagramSocket socket) {
    if (socket == null) return;
    int port = socket.localAddress() == null ? -1 : socket.localAddress().port();
    socket.close();
    int slot = (port - min) / 2;
    if (port >= min && slot < slots && taken.get(slot)) {
      socketsOpen--;
      taken.clear(slot);
      inUse--;
    }
  }
}
