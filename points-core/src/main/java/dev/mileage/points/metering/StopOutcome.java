package dev.mileage.points.metering;

import java.util.Objects;

/** The answer to {@link Meter#stop}: the usage record when it ended now or had ended before. */
public record StopOutcome(CommandResult result, UsageRecord record) {
  public StopOutcome {
    Objects.requireNonNull(result, "result");
    if ((result == CommandResult.OK || result == CommandResult.ALREADY_ENDED) != (record != null)) {
      throw new IllegalArgumentException("a record exactly when ended: " + result);
    }
  }
}
