package dev.mileage.points.metering;

import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;

import java.util.UUID;

/** Transfer ids derive from the session id and the chunk number, so every retry and every recovery is idempotent. */
final class ChargeIds {
  private ChargeIds() {
  }

  static UUID reserve(UUID session, int chunk) {
    return Transfer.idOf("metering:" + session + ":" + chunk + ":reserve");
  }

  static UUID post(UUID session, int chunk) {
    return Transfer.idOf("metering:" + session + ":" + chunk + ":post");
  }

  static UUID voidOf(UUID session, int chunk) {
    return Transfer.idOf("metering:" + session + ":" + chunk + ":void");
  }

  static String reference(UUID session, int chunk) {
    return "metering:" + session + ":" + chunk;
  }

  static int code(ServiceKind service) {
    return service == ServiceKind.CALL ? TransferCodes.CALL_CHARGE : TransferCodes.STREAM_CHARGE;
  }

  /** The settlement of one chunk: post {@code postAmount} (the rest is released) or void it when 0. */
  static Transfer settle(UUID session, ServiceKind service, int chunk, long postAmount) {
    if (postAmount > 0) {
      return Transfer.post(post(session, chunk), reserve(session, chunk), postAmount, code(service),
          reference(session, chunk));
    }
    return Transfer.voidPending(voidOf(session, chunk), reserve(session, chunk), code(service),
        reference(session, chunk));
  }
}
