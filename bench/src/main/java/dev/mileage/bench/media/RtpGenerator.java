package dev.mileage.bench.media;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * One generator: a share of the calls' endpoints (non-blocking UDP channels on loopback), each sending a
 * G.711-sized RTP packet every {@code intervalNanos} to its peer (the relay's port, or for the baseline
 * the other endpoint of the call directly), and receiving what comes back. Sending and receiving run on
 * two threads ({@link #sender()}, {@link #receiver()}), so a packet that arrives while a phase is being
 * sent is read at once rather than after the phase: the receive time stamp is taken right after the
 * receive call returns, the actual-send stamp right before the send call. Each packet carries its
 * intended send time as well, so a generator that falls behind shows up as latency, not as a gap.
 * Calls are spread over {@link #PHASES} send phases per interval, as independent phones are.
 */
final class RtpGenerator {
  static final int RTP_BYTES = 12 + 160;
  /** Send phases per packet interval (1 ms apart at 20 ms packets). */
  static final int PHASES = 20;

  /** One end of a call: its channel and the SSRC it sends with. */
  record Endpoint(DatagramChannel channel, int ssrc) {
    int port() throws IOException {
      return ((InetSocketAddress) channel.getLocalAddress()).getPort();
    }
  }

  private final List<Endpoint> endpoints = new ArrayList<>();
  private final List<List<Endpoint>> phases = new ArrayList<>();
  private final Selector selector;
  private final long intervalNanos;
  private final long startNanos;
  private final long stopSendingNanos;
  private final long stopNanos;
  private final long measureFromNanos;
  /** Intended send time to arrival. */
  final Histogram latencyMicros = new Histogram(60_000_000L, 3);
  /** From the actual send (not the schedule) to arrival: the path and the kernel, without the sender's lag. */
  final Histogram transitMicros = new Histogram(60_000_000L, 3);
  /** How far behind its schedule the sender sent at worst (a starved generator, not the relay). */
  volatile long behindNanosMax;
  final AtomicLong sent = new AtomicLong();
  final AtomicLong received = new AtomicLong();
  final AtomicLong sentMeasured = new AtomicLong();
  final AtomicLong receivedMeasured = new AtomicLong();

  RtpGenerator(long intervalNanos, long startNanos, long measureFromNanos, long stopSendingNanos, long drainNanos) throws IOException {
    this.selector = Selector.open();
    this.intervalNanos = intervalNanos;
    this.startNanos = startNanos;
    this.measureFromNanos = measureFromNanos;
    this.stopSendingNanos = stopSendingNanos;
    this.stopNanos = stopSendingNanos + drainNanos;
    for (int i = 0; i < PHASES; i++) phases.add(new ArrayList<>());
  }

  /** A bound endpoint; {@link #connect} it before the threads start. Both ends of a call share a phase. */
  Endpoint add(int ssrc) throws IOException {
    DatagramChannel ch = DatagramChannel.open(StandardProtocolFamily.INET);
    ch.bind(new InetSocketAddress("127.0.0.1", 0));
    ch.configureBlocking(false);
    ch.setOption(StandardSocketOptions.SO_RCVBUF, 256 * 1024);
    ch.register(selector, SelectionKey.OP_READ);
    Endpoint e = new Endpoint(ch, ssrc);
    endpoints.add(e);
    phases.get((ssrc / 2) % PHASES).add(e);
    return e;
  }

  /**
   * Sends to and receives from {@code peer} only. The relay answers from the port we send to (symmetric
   * RTP), and so does the other endpoint in the baseline: connected, send and receive skip the per-packet
   * address handling, so the generator's cost stays small next to the relay's.
   */
  static void connect(Endpoint e, InetSocketAddress peer) throws IOException {
    e.channel().connect(peer);
  }

  Runnable sender() {
    return this::send;
  }

  Runnable receiver() {
    return this::receive;
  }

  private void send() {
    ByteBuffer out = ByteBuffer.allocateDirect(RTP_BYTES);
    long step = intervalNanos / PHASES;
    long tick = startNanos;
    int phase = 0;
    int seq = 0;
    try {
      while (tick < stopSendingNanos) {
        long now = System.nanoTime();
        if (now >= stopNanos) break;
        if (now < tick) {
          LockSupport.parkNanos(tick - now); // nanosecond deadline: a selector would round up to whole ms
          continue;
        }
        if (phase == 0) seq++;
        if (now - tick > behindNanosMax) behindNanosMax = now - tick;
        boolean measured = tick >= measureFromNanos;
        for (Endpoint e : phases.get(phase)) {
          out.clear();
          out.put((byte) 0x80).put((byte) 0).putShort((short) seq).putInt(seq * 160).putInt(e.ssrc());
          out.putLong(tick); // intended send time
          out.put((byte) (measured ? 1 : 0));
          out.putLong(System.nanoTime()); // actual send time, right before the send call
          while (out.position() < RTP_BYTES) out.put((byte) 0xFF);
          out.flip();
          if (e.channel().write(out) > 0) {
            sent.incrementAndGet();
            if (measured) sentMeasured.incrementAndGet();
          }
        }
        phase = (phase + 1) % PHASES;
        tick += step;
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private void receive() {
    ByteBuffer in = ByteBuffer.allocateDirect(2048);
    try {
      while (System.nanoTime() < stopNanos) {
        selector.select(5);
        for (SelectionKey k : selector.selectedKeys()) {
          // one datagram per ready channel per turn: the selector is level-triggered, and reading until
          // empty would add a failed read (a system call) per packet to the generator's own cost
          in.clear();
          try {
            if (((DatagramChannel) k.channel()).read(in) <= 0) continue;
          } catch (java.net.PortUnreachableException icmp) {
            continue; // an earlier packet met a closed port (start-up or end of a run): not a reading error
          }
          long arrived = System.nanoTime();
          received.incrementAndGet();
          if (in.position() >= 29 && in.get(20) == 1) {
            receivedMeasured.incrementAndGet();
            latencyMicros.recordValue(Math.min(60_000_000L, Math.max(0, (arrived - in.getLong(12)) / 1_000)));
            transitMicros.recordValue(Math.min(60_000_000L, Math.max(0, (arrived - in.getLong(21)) / 1_000)));
          }
        }
        selector.selectedKeys().clear();
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** After both threads have ended. */
  void close() {
    for (Endpoint e : endpoints) {
      try {
        e.channel().close();
      } catch (IOException ignored) {
        // closing at the end of the run
      }
    }
    try {
      selector.close();
    } catch (IOException ignored) {
      // closing at the end of the run
    }
  }
}
