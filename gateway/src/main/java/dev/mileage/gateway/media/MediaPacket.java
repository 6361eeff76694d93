package dev.mileage.gateway.media;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A datagram on the media path: its bytes and where it came from.
 *
 * <p>On the plain-RTP path ({@link MediaIo}) one instance per I/O thread is reused for every datagram,
 * over the thread's direct read buffer: a packet is valid only during {@link MediaNode#accept} and no
 * node may keep it. That path allocates nothing per packet. The browser legs build one per datagram
 * from a Vert.x {@link Buffer}; the other form is made on demand.
 */
public final class MediaPacket {
  private ByteBuffer bytes;
  private Buffer data;
  private InetSocketAddress senderAddress;
  private SocketAddress sender;

  public MediaPacket(Buffer data, SocketAddress sender) {
    this.data = data;
    this.sender = sender;
  }

  /** A reusable packet for one {@link MediaIo} thread. */
  MediaPacket() {
  }

  /** Points this (reused) packet at {@code datagram} (position 0, limit = its length) from {@code from}. */
  MediaPacket reset(ByteBuffer datagram, InetSocketAddress from) {
    this.bytes = datagram;
    this.senderAddress = from;
    this.data = null;
    this.sender = null;
    return this;
  }

  public int length() {
    return bytes != null ? bytes.limit() : data.length();
  }

  int unsignedByte(int index) {
    return bytes != null ? bytes.get(index) & 0xFF : data.getUnsignedByte(index);
  }

  /** RTP version 2 with a full fixed header (RFC 3550 5.1). */
  public boolean isRtp() {
    return length() >= 12 && (unsignedByte(0) >> 6) == 2;
  }

  public int payloadType() {
    return unsignedByte(1) & 0x7F;
  }

  /** The bytes as a Vert.x buffer (a copy when the packet came from {@link MediaIo}). */
  public Buffer data() {
    if (data == null) {
      byte[] copy = new byte[bytes.limit()];
      bytes.get(0, copy);
      data = Buffer.buffer(copy);
    }
    return data;
  }

  /** The bytes to send, from position 0 to the packet's length; sending consumes the position. */
  ByteBuffer bytes() {
    if (bytes == null) bytes = ByteBuffer.wrap(data.getBytes());
    return bytes.position(0);
  }

  public SocketAddress sender() {
    if (sender == null) sender = SocketAddress.inetSocketAddress(senderAddress);
    return sender;
  }

  /** The sender as the JDK's address (no copy on the {@link MediaIo} path). */
  public InetSocketAddress senderAddress() {
    if (senderAddress == null) senderAddress = new InetSocketAddress(sender.hostAddress(), sender.port());
    return senderAddress;
  }
}
