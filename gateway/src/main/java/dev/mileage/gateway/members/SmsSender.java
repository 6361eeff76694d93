package dev.mileage.gateway.members;

import io.vertx.core.Future;

/** Sends a short text to a phone number through the operator's SMSC. */
public interface SmsSender extends AutoCloseable {
  enum Result { DELIVERED_TO_SMSC, REJECTED, UNREACHABLE }

  /** @param toE164 the destination, e.g. {@code +821012345678}; {@code text} at most 160 characters */
  Future<Result> send(String toE164, String text);

  @Override
  default void close() {
  }
}
