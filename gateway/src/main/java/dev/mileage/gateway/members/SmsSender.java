package dev.mileage.gateway.members;

import io.vertx.core.Future;

import java.util.List;
import java.util.Objects;

/** Sends a short text (SMS) or a text with pictures (MMS-like) to a phone number through the operator's SMSC. */
public interface SmsSender extends AutoCloseable {
  enum Result { DELIVERED_TO_SMSC, REJECTED, UNREACHABLE }

  /** One part of a multipart message body (RFC 2046): e.g. {@code text/plain; charset=UTF-8} or {@code image/png}. */
  record Part(String contentType, String description, byte[] body) {
    public Part {
      Objects.requireNonNull(contentType, "contentType");
      Objects.requireNonNull(body, "body");
      if (!contentType.matches("[a-z]+/[a-z0-9.+-]+(; ?charset=[A-Za-z0-9-]+)?")) throw new IllegalArgumentException("bad content type");
      if (description != null && !description.matches("[ -~]{0,100}")) throw new IllegalArgumentException("bad part description");
    }
  }

  /** @param toE164 the destination, e.g. {@code +821012345678}; {@code text} at most 160 characters */
  Future<Result> send(String toE164, String text);

  /**
   * Sends the parts as one multipart/mixed message (an MMS through the SMSC). A sender that cannot answers
   * REJECTED; callers fall back to {@link #send} with text.
   */
  default Future<Result> sendMultipart(String toE164, List<Part> parts) {
    return Future.succeededFuture(Result.REJECTED);
  }

  @Override
  default void close() {
  }
}
