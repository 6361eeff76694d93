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
 */
final class RtpGenerator implements Runnable {
  static final int RTP_BYTES = 12 + 160;

  /** One end of a call: its channel and the relay port it talks to. */
  record Endpoint(DatagramChannel channel, InetSocketAddress relayPort, int ssrc) {
  }

  private final List<Endpoint> endpoints = new ArrayList<>();
  private final Selector selector;
  private final long intervalNanos;
  private final long startNanos;
  private final long stopSendingNanos;
  private final long stopNanos;
  private final long measureFromNanos;
  final Histogram latencyMicros = new Histogram(60_000_000L, 3);
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
  }

  Endpoint add(InetSocketAddress relayPort, int ssrc) throws IOException {
    DatagramChannel ch = DatagramChannel.open(java.net.StandardProtocolFamily.INET);
    ch.bind(new InetSocketAddress("127.0.0.1", 0));
    ch.configureBlocking(false);
    ch.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 256 * 1024);
    ch.register(selector, SelectionKey.OP_READ);
    Endpoint e = new Endpoint(ch, relayPort, ssrc);
    endpoints.add(e);
    return e;
  }

  @Override
  public void run() {
    ByteBuffer out = ByteBuffer.allocateDirect(RTP_BYTES);
    ByteBuffer in = ByteBuffer.allocateDirect(2048);
    long tick = startNanos;
    int seq = 0;
    try {
      while (true) {
        long now = System.nanoTime();
        if (now >= stopNanos) break;
        if (now >= tick && tick < stopSendingNanos) {
          seq++;
          for (Endpoint e : endpoints) {
            out.clear();
            out.put((byte) 0x80).put((byte) 0).putShort((short) seq).putInt(seq * 160).putInt(e.ssrc());
            out.putLong(tick); // intended send time
            out.put((byte) (tick >= measureFromNanos ? 1 : 0));
            while (out.position() < RTP_BYTES) out.put((byte) 0xFF);
            out.flip();
            if (e.channel().send(out, e.relayPort()) > 0) {
              sent.incrementAndGet();
              if (tick >= measureFromNanos) sentMeasured.incrementAndGet();
            }
          }
          tick += intervalNanos;
          continue;
        }
        long waitMs = Math.max(0, Math.min((tick - now) / 1_000_000, 5));
        if (waitMs == 0) selector.selectNow();
        else selector.select(waitMs);
        for (SelectionKey k : selector.selectedKeys()) {
          DatagramChannel ch = (DatagramChannel) k.channel();
          while (true) {
            in.clear();
            if (ch.receive(in) == null) break;
            long arrived = System.nanoTime();
            received.incrementAndGet();
            if (in.position() >= 21 && in.get(20) == 1) {
              receivedMeasured.incrementAndGet();
              latencyMicros.recordValue(Math.min(60_000_000L, Math.max(0, (arrived - in.getLong(12)) / 1_000)));
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
