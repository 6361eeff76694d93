package dev.mileage.gateway.media;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The file descriptors call media may hold at once (the process's open-file limit less a reserve for
 * everything else). A call leases what it may need at worst before anything is bound, so concurrent
 * admissions can never together overshoot; its relay shrinks the lease to what it really holds (one socket
 * when both sides multiplex RTCP) and grows it again only if it must bind RTCP after all. So
 * {@link #held()} is at least the media sockets really open, and equal to it once calls are set up.
 * Thread safe: the SIP shards share one budget.
 */
public final class SocketBudget {
  private final long max;
  private final AtomicLong held = new AtomicLong();

  public SocketBudget(long max) {
    if (max < 1) throw new IllegalArgumentException("max must be positive");
    this.max = max;
  }

  /** A budget that never refuses (tests of the relay alone, platforms that do not say their limit). */
  public static SocketBudget unlimited() {
    return new SocketBudget(Long.MAX_VALUE);
  }

  public long max() {
    return max;
  }

  /** Descriptors leased now. */
  public long held() {
    return held.get();
  }

  /** A lease of {@code sockets}, or null when that would pass {@link #max()}. */
  public Lease lease(int sockets) {
    Lease l = new Lease();
    return l.resize(sockets) ? l : null;
  }

  private boolean take(int n) {
    long h;
    do {
      h = held.get();
      if (h + n > max) return false;
    } while (!held.compareAndSet(h, h + n));
    return true;
  }

  /** What one call holds of the budget; closing it gives everything back (idempotent). */
  public final class Lease {
    private int sockets;
    private boolean closed;

    private Lease() {
    }

    public synchronized int sockets() {
      return sockets;
    }

    /** Grows (false, unchanged, when the budget has no room) or shrinks the lease to {@code n}. */
    public synchronized boolean resize(int n) {
      if (n < 0) throw new IllegalArgumentException("negative lease");
      if (closed) return n == 0;
      if (n > sockets && !take(n - sockets)) return false;
      if (n < sockets) held.addAndGet(n - sockets);
      sockets = n;
      return true;
    }

    public synchronized void close() {
      resize(0);
      closed = true;
    }
  }
}
