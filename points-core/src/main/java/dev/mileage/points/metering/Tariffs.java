package dev.mileage.points.metering;

import java.util.concurrent.CompletionStage;

/**
 * The operator-managed tariff book, persisted. Every change makes a new {@link TariffBook} version;
 * sessions already authorized keep the tariff they snapshotted. Thread safe.
 */
public interface Tariffs {
  /** The current book (served from memory; loaded at start). */
  TariffBook current();

  /** Adds or replaces the rule for {@code rate.prefix()}. */
  CompletionStage<TariffChange> putCallRate(CallRate rate);

  CompletionStage<TariffChange> removeCallRate(String prefix);

  CompletionStage<TariffChange> putStreamRate(StreamRate rate);

  CompletionStage<TariffChange> removeStreamRate(ContentKind kind);
}
