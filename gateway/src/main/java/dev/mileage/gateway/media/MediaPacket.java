package dev.mileage.gateway.media;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.SocketAddress;

/** A datagram on the media path: its bytes and where it came from. */
public record MediaPacket(Buffer data, SocketAddress sender) {
  public int length() {
    return data.length();
  }

  /** RTP version 2 with a full fixed header (RFC 3550 5.1). */
  public boolean isRtp() {
    return data.length() >= 12 && (data.getUnsignedByte(0) >> 6) == 2;
  }

  public int payloadType() {
    return data.getUnsignedByte(1) & 0x7F;
  }
}
