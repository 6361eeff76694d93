package dev.mileage.gateway.webrtc;

import org.jitsi.utils.ByteArrayBuffer;

/** A growable byte region for jitsi-srtp, which transforms packets in place and appends tags. */
final class PacketBuffer implements ByteArrayBuffer {
  private byte[] buffer;
  private int offset;
  private int length;

  PacketBuffer(byte[] data, int headroomBytes) {
    this.buffer = new byte[data.length + headroomBytes];
    System.arraycopy(data, 0, buffer, 0, data.length);
    this.length = data.length;
  }

  byte[] toBytes() {
    byte[] out = new byte[length];
    System.arraycopy(buffer, offset, out, 0, length);
    return out;
  }

  @Override
  public byte[] getBuffer() {
    return buffer;
  }

  @Override
  public int getOffset() {
    return offset;
  }

  @Override
  public int getLength() {
    return length;
  }

  @Override
  public void setLength(int len) {
    this.length = len;
  }

  @Override
  public void setOffset(int off) {
    this.offset = off;
  }

  @Override
  public boolean isInvalid() {
    return false;
  }

  @Override
  public void readRegionToBuff(int off, int len, byte[] outBuf) {
    System.arraycopy(buffer, offset + off, outBuf, 0, len);
  }

  @Override
  public void grow(int howMuch) {
    if (howMuch <= 0) return;
    if (buffer.length - offset - length >= howMuch) return;
    byte[] b = new byte[offset + length + howMuch];
    System.arraycopy(buffer, 0, b, 0, offset + length);
    buffer = b;
  }

  @Override
  public void append(byte[] data, int len) {
    grow(len);
    System.arraycopy(data, 0, buffer, offset + length, len);
    length += len;
  }

  @Override
  public void shrink(int len) {
    length = Math.max(0, length - len);
  }
}
