package dev.mileage.bench.media;

import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One generator thread: a share of the calls' endpoints (non-blocking UDP channels on loopback), each
 * sending a G.711-sized RTP packet every {@code intervalNanos} to its relay port, and receiving what the
 * relay forwards from the other endpoint of the call. Each packet carries its intended send time, so
 * latency is measured from the schedule (a stalled generator shows up as latency, not as a gap).
 * Calls are spread over {@link #PHASES} send phases per interval, as independent phones are: sending
 * every endpoint at the same instant would measure the generator's own burst, not the relay.
 */
final class RtpGenerator implements Runnable {
  static final int RTP_BYTES = 12 + 160;
  /** Send phases per packet interval (1 ms apart at 20 ms packets). */
  static final int PHASES = 20;

  /** One end of a call: its channel and the relay port it talks to. */
  record Endpoint(DatagramChannel channel, InetSocketAddress relayPort, int ssrc) {
  }

  private final List<Endpoint> endpoints = new ArrayList<>();
  private final List<List<Endpoint>> phases = new ArrayList<>();
  private final Selector selector;
  private final long intervalNanos;
  private final long startNanos;
  private final long stopSendingNanos;
  private final long stopNanos;
  private final long measureFromNanos;
  final Histogram latencyMicros = new Histogram(60_000_000L, 3);
  /** From the actual send (not the schedule) to arrival: the relay and the kernel, without the generator's lag. */
  final Histogram transitMicros = new Histogram(60_000_000L, 3);
  /** How far behind its schedule the generator sent at worst (a starved generator, not the relay). */
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

  Endpoint add(InetSocketAddress relayPort, int ssrc) throws IOException {
    DatagramChannel ch = DatagramChannel.open(java.net.StandardProtocolFamily.INET);
    ch.bind(new InetSocketAddress("127.0.0.1", 0));
    ch.configureBlocking(false);
    ch.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 256 * 1024);
    // the relay answers from the port we send to (symmetric RTP): connected, send and receive skip the
    // per-packet address handling, so the generator's cost stays small next to the relay's
    ch.connect(relayPort);
    ch.register(selector, SelectionKey.OP_READ);
    Endpoint e = new Endpoint(ch, relayPort, ssrc);
    endpoints.add(e);
    // both ends of a call send in the same phase; calls are spread over the phases
    phases.get((ssrc / 2) % PHASES).add(e);
    return e;
  }

  @Override
  public void run() {
    ByteBuffer out = ByteBuffer.allocateDirect(RTP_BYTES);
    ByteBuffer in = ByteBuffer.allocateDirect(2048);
    long step = intervalNanos / PHASES;
    long tick = startNanos;
    int phase = 0;
    int seq = 0;
    try {
      while (true) {
        long now = System.nanoTime();
        if (now >= stopNanos) break;
        if (now >= tick && tick < stopSendingNanos) {
          if (phase == 0) seq++;
          if (now - tick > behindNanosMax) behindNanosMax = now - tick;
          for (Endpoint e : phases.get(phase)) {
            out.clear();
            out.put((byte) 0x80).put((byte) 0).putShort((short) seq).putInt(seq * 160).putInt(e.ssrc());
            out.putLong(tick); // intended send time
            out.put((byte) (tick >= measureFromNanos ? 1 : 0));
            out.putLong(System.nanoTime()); // actual send time
            while (out.position() < RTP_BYTES) out.put((byte) 0xFF);
            out.flip();
            if (e.channel().write(out) > 0) {
              sent.incrementAndGet();
              if (tick >= measureFromNanos) sentMeasured.incrementAndGet();
            }
          }
          phase = (phase + 1) % PHASES;
          tick += step;
          now = System.nanoTime();
        }
        // read after every phase, even when behind schedule: a generator that only catches up on sending
        // leaves its sockets unread, the kernel drops what the relay forwarded, and that looks like loss.
        // Sleep in the selector until the next phase (rounded up: a spinning generator would starve the relay).
        long waitMs = tick >= stopSendingNanos ? 5 : Math.max(0, Math.min((tick - now + 999_999) / 1_000_000, 5));
        if (waitMs == 0) selector.selectNow();
        else selector.select(waitMs);
        for (SelectionKey k : selector.selectedKeys()) {
          DatagramChannel ch = (DatagramChannel) k.channel();
          while (true) {
            in.clear();
            if (ch.read(in) <= 0) break;
            long arrived = System.nanoTime();
            received.incrementAndGet();
            if (in.position() >= 21 && in.get(20) == 1) {
              receivedMeasured.incrementAndGet();
              latencyMicros.recordValue(Math.min(60_000_000L, Math.max(0, (arrived - in.getLong(12)) / 1_000)));
              if (in.position() >= 29) {
                transitMicros.recordValue(Math.min(60_000_000L, Math.max(0, (arrived - in.getLong(21)) / 1_000)));
              }
            }
          }
        }
        selector.selectedKeys().clear();
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
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
}
