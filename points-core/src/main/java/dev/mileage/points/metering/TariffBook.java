package dev.mileage.points.metering;

import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An immutable snapshot of all tariffs at one version. Sessions rate against the book current at
 * authorization and keep the tariff they got: later changes never apply retroactively.
 */
public final class TariffBook {
  public static final int CALL_RATES_MAX = 100_000;
  /** E.164: '+', then a non-zero digit and up to 14 more. */
  private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{1,14}");

  /** The label of a rating by an item's own price (kept in the usage record's {@code rated}). */
  public static final String ITEM_PRICE_LABEL = "item price";

  private final long version;
  private final Map<String, CallRate> callRates;
  private final Map<ContentKind, StreamRate> streamRates;

  public TariffBook(long version, Collection<CallRate> callRates, Collection<StreamRate> streamRates) {
    if (version < 0) throw new IllegalArgumentException("version must not be negative");
    if (callRates.size() > CALL_RATES_MAX) throw new IllegalArgumentException("too many call rates");
    this.version = version;
    Map<String, CallRate> calls = new HashMap<>();
    for (CallRate rate : callRates) {
      if (calls.put(rate.prefix(), rate) != null) throw new IllegalArgumentException("prefix repeats: " + rate.prefix());
    }
    Map<ContentKind, StreamRate> streams = new EnumMap<>(ContentKind.class);
    for (StreamRate rate : streamRates) {
      if (streams.put(rate.kind(), rate) != null) throw new IllegalArgumentException("kind repeats: " + rate.kind());
    }
    this.callRates = Map.copyOf(calls);
    this.streamRates = Map.copyOf(streams);
  }

  public static TariffBook empty() {
    return new TariffBook(0, List.of(), List.of());
  }

  public long version() {
    return version;
  }

  public static boolean isE164(String number) {
    return number != null && E164.matcher(number).matches();
  }

  /** Longest-prefix match of an E.164 number ({@code +8210...}); a blocked prefix refuses. */
  public Rating rateCall(String number) {
    if (!isE164(number)) return Rating.refused(RateResult.INVALID_NUMBER, "", "");
    String digits = number.substring(1);
    for (int length = digits.length(); length >= 1; length--) {
      CallRate rate = callRates.get(digits.substring(0, length));
      if (rate == null) continue;
      if (rate.blocked()) return Rating.refused(RateResult.BLOCKED, rate.prefix(), rate.label());
      return new Rating(RateResult.RATED, rate.prefix(), rate.label(), rate.tariff());
    }
    return Rating.refused(RateResult.NO_TARIFF, "", "");
  }

  public Rating rateStream(ContentKind kind) {
    Objects.requireNonNull(kind, "kind");
    StreamRate rate = streamRates.get(kind);
    if (rate == null) return Rating.refused(RateResult.NO_TARIFF, kind.name(), "");
    return new Rating(RateResult.RATED, kind.name(), rate.label(), rate.tariff());
  }

  /**
   * An item with its own price: its kind's tariff (increments, minimum charge, paying types) at
   * {@code itemPointsPerMinute}. A kind without a tariff leaves the item unrated too: the item's price
   * replaces the rate, not the billing rules.
   */
  public Rating rateItem(ContentKind kind, long itemPointsPerMinute) {
    Rating byKind = rateStream(kind);
    if (!byKind.rated()) return byKind;
    return new Rating(RateResult.RATED, kind.name(), ITEM_PRICE_LABEL,
        byKind.tariff().withPointsPerMinute(itemPointsPerMinute));
  }

  /** Call rates sorted by prefix. */
  public List<CallRate> callRates() {
    return callRates.values().stream().sorted(java.util.Comparator.comparing(CallRate::prefix)).toList();
  }

  public List<StreamRate> streamRates() {
    return streamRates.values().stream().sorted(java.util.Comparator.comparing(StreamRate::kind)).toList();
  }
}
