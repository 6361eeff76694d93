package dev.mileage.points.metering;

import java.util.Objects;

/**
 * The answer of rating: which rule matched and its tariff.
 *
 * @param matched the matched prefix (calls) or content kind name (streams); empty when nothing matched
 * @param label   the rule's human label, e.g. "Korea mobile"; empty when nothing matched
 * @param tariff  the tariff when {@code result == RATED}, otherwise null
 */
public record Rating(RateResult result, String matched, String label, Tariff tariff) {
  public Rating {
    Objects.requireNonNull(result, "result");
    matched = matched == null ? "" : matched;
    label = label == null ? "" : label;
    if ((result == RateResult.RATED) != (tariff != null)) {
      throw new IllegalArgumentException("a tariff exactly when RATED: " + result);
    }
  }

  public static Rating refused(RateResult result, String matched, String label) {
    return new Rating(result, matched, label, null);
  }

  public boolean rated() {
    return result == RateResult.RATED;
  }
}
