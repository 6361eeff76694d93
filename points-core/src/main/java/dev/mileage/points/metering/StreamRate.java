package dev.mileage.points.metering;

import java.util.Objects;

/** A stream tariff rule: content of {@code kind} is rated by {@code tariff}. */
public record StreamRate(ContentKind kind, String label, Tariff tariff) {
  public StreamRate {
    Objects.requireNonNull(kind, "kind");
    label = CallRate.requireLabel(label);
    Objects.requireNonNull(tariff, "tariff");
  }
}
