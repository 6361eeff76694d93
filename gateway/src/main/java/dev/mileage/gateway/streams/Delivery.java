package dev.mileage.gateway.streams;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One HTTP (range) response of a stream, paced: the pump writes only the bytes the member's metered
 * time allows, so the server, not the page, decides how much is delivered, and cuts it at the end.
 */
final class Delivery {
  /** Bytes read and written at once. */
  static final int CHUNK_BYTES = 64 * 1024;

  final StreamSession session;
  final HttpServerResponse response;
  private final FileChannel file;
  private long position;
  private final long endInclusive;
  private boolean closed;

  Delivery(StreamSession session, HttpServerResponse response, Path media, long start, long endInclusive) throws IOException {
    this.session = session;
    this.response = response;
    this.file = FileChannel.open(media, StandardOpenOption.READ);
    this.position = start;
    this.endInclusive = endInclusive;
  }

  /**
   * Writes what {@code allowedEnd} (exclusive) permits without overfilling the connection; answers true
   * when the whole range has been sent (the response is ended).
   */
  synchronized boolean pump(long allowedEnd, long nowMs) throws IOException {
    if (closed) return false;
    while (position <= endInclusive && position < allowedEnd && !response.writeQueueFull()) {
      int length = (int) Math.min(CHUNK_BYTES, Math.min(endInclusive + 1, allowedEnd) - position);
      ByteBuffer chunk = ByteBuffer.allocate(length);
      while (chunk.hasRemaining()) {
        if (file.read(chunk, position + chunk.position()) < 0) throw new IOException("media file shorter than recorded");
      }
      chunk.flip();
      response.write(Buffer.buffer(chunk.array()));
      position += length;
      session.delivered(position, nowMs);
    }
    if (position > endInclusive) {
      close();
      response.end();
      return true;
    }
    return false;
  }

  /** The server stops the delivery: the connection is reset, so the player cannot take it as a whole file. */
  void cut() {
    close();
    if (!response.ended() && !response.closed()) response.reset();
  }

  synchronized void close() {
    if (closed) return;
    closed = true;
    try {
      file.close();
    } catch (IOException ignored) {
      // a read-only file: nothing to lose
    }
  }

  synchronized boolean finished() {
    return closed;
  }
}
