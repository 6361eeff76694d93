package dev.mileage.points.metering;

import java.util.Objects;

/**
 * A call tariff rule: numbers starting with {@code prefix} (E.164 digits without '+', 1..15) are rated
 * by {@code tariff}, or refused when {@code blocked}. The longest matching prefix wins.
 *
 * @param tariff null exactly when {@code blocked}
 */
public record CallRate(String prefix, String label, boolean blocked, Tariff tariff) {
  public static final int PREFIX_DIGITS_MAX = 15;
  public static final int LABEL_LENGTH_MAX = 64;

  public CallRate {
    Objects.requireNonNull(prefix, "prefix");
    if (!prefix.matches("[0-9]{1," + PREFIX_DIGITS_MAX + "}")) {
      throw new IllegalArgumentException("prefix must be 1.." + PREFIX_DIGITS_MAX + " digits: " + prefix);
    }
    label = requireLabel(label);
    if (blocked != (tariff == null)) throw new IllegalArgumentException("a tariff exactly when not blocked");
  }

  public static CallRate rated(String prefix, String label, Tariff tariff) {
    return new CallRate(prefix, label, false, Objects.requireNonNull(tariff, "tariff"));
  }

  public static CallRate blocked(String prefix, String label) {
    return new CallRate(prefix, label, true, null);
  }

  static String requireLabel(String label) {
    Objects.requireNonNull(label, "label");
    if (label.length() > LABEL_LENGTH_MAX) throw new IllegalArgumentException("label too long");
    return label;
  }
}
