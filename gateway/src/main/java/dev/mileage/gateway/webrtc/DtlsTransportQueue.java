package dev.mileage.gateway.webrtc;

import org.bouncycastle.tls.DatagramTransport;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * BouncyCastle's DTLS engine reads datagrams by blocking; our socket pushes them from the event loop.
 * This joins the two: the demux {@link #offer}s DTLS records, the handshake thread {@link #receive}s
 * them, and what the engine sends goes to {@code sender} (which writes to the UDP socket).
 */
final class DtlsTransportQueue implements DatagramTransport {
  /** Records waiting for the handshake thread; a flood beyond this is dropped (DTLS retransmits). */
  static final int QUEUED_RECORDS_MAX = 64;
  /** Path MTU we assume for the browser leg (IPv4 minimum reassembly-free size with headroom). */
  static final int MTU_BYTES = 1200;

  private final BlockingQueue<byte[]> inbound = new ArrayBlockingQueue<>(QUEUED_RECORDS_MAX);
  private final Consumer<byte[]> sender;
  private volatile boolean closed;

  DtlsTransportQueue(Consumer<byte[]> sender) {
    this.sender = sender;
  }

  /** From the demux; false when the queue is full or closed (the record is dropped). */
  boolean offer(byte[] record) {
    return !closed && inbound.offer(record);
  }

  @Override
  public int getReceiveLimit() {
    return MTU_BYTES;
  }

  @Override
  public int getSendLimit() {
    return MTU_BYTES;
  }

  @Override
  public int receive(byte[] buf, int off, int len, int waitMillis) throws java.io.IOException {
    if (closed) throw new java.io.EOFException("transport closed");
    try {
      byte[] r = inbound.poll(waitMillis, TimeUnit.MILLISECONDS);
      if (r == null) return -1;
      int n = Math.min(len, r.length);
      System.arraycopy(r, 0, buf, off, n);
      return n;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException("interrupted");
    }
  }

  @Override
  public void send(byte[] buf, int off, int len) {
    if (closed) return;
    byte[] copy = new byte[len];
    System.arraycopy(buf, off, copy, 0, len);
    sender.accept(copy);
  }

  @Override
  public void close() {
    closed = true;
    inbound.clear();
  }
}
