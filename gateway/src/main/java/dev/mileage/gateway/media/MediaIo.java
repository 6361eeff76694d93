package dev.mileage.gateway.media;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The threads that move plain RTP: each owns a selector over a share of the relay's UDP channels, reads
 * what arrived and runs it through the call's pipeline, whose last node sends it out of the other leg's
 * channel in the same turn. No hop to an event loop, no per-packet promise or name resolution: the
 * relay adds the time of two system calls. (Vert.x datagram sockets read one datagram per socket per
 * event-loop turn and resolve the host of every send; at 500 calls they fell seconds behind.)
 */
public final class MediaIo implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(MediaIo.class.getName());
  /** Largest datagram read; longer ones are truncated, and then dropped by the RTP filter's size check. */
  static final int DATAGRAM_BYTES_MAX = 2048;
  /** I/O threads at most (a selector handles thousands of channels; more threads only help on more cores). */
  public static final int THREADS_MAX = 8;

  private final Loop[] loops;
  private final AtomicInteger next = new AtomicInteger();

  /** Starts {@code threads} I/O threads named {@code name-N}. */
  public MediaIo(String name, int threads) {
    if (threads < 1 || threads > THREADS_MAX) throw new IllegalArgumentException("threads 1.." + THREADS_MAX);
    loops = new Loop[threads];
    try {
      for (int i = 0; i < threads; i++) loops[i] = new Loop(name + "-" + i);
    } catch (IOException e) {
      close();
      throw new UncheckedIOException("cannot open a selector", e);
    }
    for (Loop l : loops) l.thread.start();
  }

  /**
   * One I/O thread per core: the threads sleep in their selectors between packets, so they cost CPU only
   * for the packets they move; on fewer threads a thread that the scheduler holds back delays more calls.
   */
  public static int defaultThreads() {
    return Math.max(1, Math.min(THREADS_MAX, Runtime.getRuntime().availableProcessors()));
  }

  /**
   * Reads {@code channel} (non-blocking, bound) on one of the I/O threads from now on; every datagram is
   * handed to {@code handler} on that thread. Both legs of a call go to the same thread ({@code affinity}),
   * so a call's state is read by one I/O thread only.
   */
  public void register(DatagramChannel channel, int affinity, Consumer<MediaPacket> handler) {
    loops[Math.floorMod(affinity, loops.length)].add(channel, handler);
  }

  /** Wakes the thread of {@code affinity}, e.g. so that it lets go of channels closed meanwhile. */
  public void wakeup(int affinity) {
    loops[Math.floorMod(affinity, loops.length)].selector.wakeup();
  }

  /** A fresh affinity value for the next call (round robin over the threads). */
  public int nextAffinity() {
    return next.getAndIncrement();
  }

  @Override
  public void close() {
    for (Loop l : loops) if (l != null) l.stop();
  }

  private static final class Loop implements Runnable {
    private final Selector selector;
    private final Thread thread;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private volatile boolean running = true;

    Loop(String name) throws IOException {
      selector = Selector.open();
      thread = new Thread(this, name);
      thread.setDaemon(true);
    }

    void add(DatagramChannel channel, Consumer<MediaPacket> handler) {
      // registration happens on the loop's own thread: a selector in select() would otherwise see it late
      tasks.add(() -> {
        try {
          channel.register(selector, SelectionKey.OP_READ, handler);
        } catch (ClosedChannelException closedMeanwhile) {
          // the call ended before its first packet: nothing to read
        }
      });
      selector.wakeup();
    }

    void stop() {
      running = false;
      selector.wakeup();
    }

    @Override
    public void run() {
      // the whole packet path reuses these two: nothing is allocated per datagram
      ByteBuffer in = ByteBuffer.allocateDirect(DATAGRAM_BYTES_MAX);
      MediaPacket packet = new MediaPacket();
      Set<SelectionKey> ready = selector.selectedKeys();
      try {
        while (running) {
          selector.select(1000);
          for (Runnable task; (task = tasks.poll()) != null; ) task.run();
          for (SelectionKey key : ready) {
            if (key.isValid()) readOne(key, in, packet);
          }
          ready.clear();
        }
      } catch (IOException | RuntimeException e) {
        LOG.log(Level.SEVERE, "media I/O thread stopped", e);
      } finally {
        try {
          selector.close();
        } catch (IOException ignored) {
          // stopping
        }
      }
    }

    /**
     * One datagram per ready channel per turn. The selector is level-triggered, so a channel with more
     * queued is ready again on the next turn; reading until empty would cost a failed receive (a system
     * call) per packet at 50 packets/s per channel, where a channel rarely holds more than one.
     */
    @SuppressWarnings("unchecked")
    private void readOne(SelectionKey key, ByteBuffer in, MediaPacket packet) {
      DatagramChannel channel = (DatagramChannel) key.channel();
      Consumer<MediaPacket> handler = (Consumer<MediaPacket>) key.attachment();
      in.clear();
      InetSocketAddress from;
      try {
        from = (InetSocketAddress) channel.receive(in);
      } catch (IOException e) {
        return; // closed by its call meanwhile, or an ICMP error on loopback: nothing to forward
      }
      if (from == null) return;
      in.flip();
      try {
        handler.accept(packet.reset(in, from));
      } catch (RuntimeException bug) {
        LOG.log(Level.SEVERE, "media pipeline failed on a packet", bug);
      }
    }
  }
}
