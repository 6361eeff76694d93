package dev.mileage.gateway.media;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.datagram.DatagramSocket;
import io.vertx.core.datagram.DatagramSocketOptions;

import java.util.BitSet;

/**
 * Media ports from a bounded range (even ports, RFC 3550 convention). A port is taken until released;
 * a port another process holds is skipped. Used on one event loop only.
 */
public final class PortPool {
  /** Ports tried for one allocation before giving up (others may hold parts of the range). */
  static final int BIND_ATTEMPTS_MAX = 16;

  private final Vertx vertx;
  private final String host;
  private final int min;
  private final int slots;
  private final BitSet taken;
  private int cursor;
  private volatile int inUse;

  public PortPool(Vertx vertx, String host, int minPort, int maxPort) {
    if (minPort < 1024 || maxPort > 65535 || maxPort - minPort < 2) throw new IllegalArgumentException("bad port range");
    this.vertx = vertx;
    this.host = host;
    this.min = minPort + (minPort & 1);
    this.slots = (maxPort - this.min) / 2 + 1;
    this.taken = new BitSet(slots);
  }

  public int inUse() {
    return inUse;
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

  private void attempt(Promise<DatagramSocket> p, int tries) {
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
    DatagramSocket socket = vertx.createDatagramSocket(new DatagramSocketOptions().setReceiveBufferSize(256 * 1024));
    final int s = slot;
    socket.listen(port, host).onComplete(ar -> {
      if (ar.succeeded()) {
        p.complete(ar.result());
      } else {
        // held by someone else: leave it marked only while we try elsewhere, then free the slot
        socket.close();
        attempt(p, tries + 1);
        taken.clear(s);
        inUse--;
      }
    });
  }

  public void release(DatagramSocket socket) {
    if (socket == null) return;
    int port = socket.localAddress() == null ? -1 : socket.localAddress().port();
    socket.close();
    int slot = (port - min) / 2;
    if (port >= min && slot < slots && taken.get(slot)) {
      taken.clear(slot);
      inUse--;
    }
  }
}
