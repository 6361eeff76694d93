package dev.mileage.gateway.trading;

import dev.mileage.gateway.shop.PaymentProvider;
import dev.mileage.gateway.shop.SandboxPaymentProvider;
import io.vertx.core.Vertx;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;

/**
 * Settings of the trading feature, with defaults.
 *
 * @param payments          charges for points bought and payouts of cash-outs
 * @param cash              fees and daily limits of buying and cashing out
 * @param rateFeed          builds the rate feed, or null for rates from operators only
 * @param ratePollInterval  how often the feed is pulled
 * @param outboxInterval    how often due webhooks are looked for
 */
public record TradingSettings(PaymentProvider payments, CashOptions cash, Function<Vertx, RateFeed> rateFeed,
                              Duration ratePollInterval, Duration outboxInterval) {
  public static final Duration RATE_POLL_DEFAULT = Duration.ofMinutes(5);
  public static final Duration OUTBOX_INTERVAL_DEFAULT = Duration.ofSeconds(1);
  /** A file path or an http(s) URL of a rate document (see {@link RateFeed}); unset: no feed. */
  public static final String RATE_FEED_ENV = "MILEAGE_RATE_FEED";

  public TradingSettings {
    Objects.requireNonNull(payments, "payments");
    Objects.requireNonNull(cash, "cash");
    Objects.requireNonNull(ratePollInterval, "ratePollInterval");
    Objects.requireNonNull(outboxInterval, "outboxInterval");
    if (ratePollInterval.toMillis() < 1 || outboxInterval.toMillis() < 1) throw new IllegalArgumentException("intervals must be positive");
  }

  /** The sandbox provider and the feed named by {@value #RATE_FEED_ENV}, if set. */
  public static TradingSettings fromEnvironment() {
    String feed = System.getenv(RATE_FEED_ENV);
    return new TradingSettings(new SandboxPaymentProvider(), CashOptions.DEFAULTS, feedOf(feed), RATE_POLL_DEFAULT,
        OUTBOX_INTERVAL_DEFAULT);
  }

  static Function<Vertx, RateFeed> feedOf(String where) {
    if (where == null || where.isBlank()) return null;
    if (where.startsWith("http://") || where.startsWith("https://")) return vertx -> new HttpRateFeed(vertx, where);
    return vertx -> new FileRateFeed(vertx, Path.of(where));
  }

  public TradingSettings withPayments(PaymentProvider value) {
    return new TradingSettings(value, cash, rateFeed, ratePollInterval, outboxInterval);
  }

  public TradingSettings withCash(CashOptions value) {
    return new TradingSettings(payments, value, rateFeed, ratePollInterval, outboxInterval);
  }

  public TradingSettings withRateFeed(Function<Vertx, RateFeed> value) {
    return new TradingSettings(payments, cash, value, ratePollInterval, outboxInterval);
  }
}
