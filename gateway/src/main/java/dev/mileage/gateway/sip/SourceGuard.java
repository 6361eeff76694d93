package dev.mileage.gateway.sip;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Limits per source address: requests per second (a fixed one-second window), failed authentications,
 * and known scanner user agents. A source over a limit is banned for a while; its requests are then
 * dropped without an answer (answering would feed the flood). Bounded maps; one thread uses it.
 */
final class SourceGuard {
  static final int SOURCES_TRACKED_MAX = 100_000;
  /** User-Agent fragments of SIP scanners (sipvicious and its kin); they are banned at first sight. */
  static final Set<String> SCANNER_AGENTS = Set.of("friendly-scanner", "sipvicious", "sipcli", "sip-scan",
      "sundayddr", "iWar", "sipsak", "vaxsipuseragent", "pplsip", "smap");

  enum Verdict { PASS, BANNED }

  private static final class Window {
    long second;
    int requests;
    int authFailures;
  }

  private final int requestsPerSecondMax;
  private final int authFailuresMax;
  private final Clock clock;
  private final Cache<String, Window> windows;
  private final Cache<String, Boolean> banned;
  private long bans;

  SourceGuard(int requestsPerSecondMax, int authFailuresMax, Duration banDuration, Clock clock) {
    this.requestsPerSecondMax = requestsPerSecondMax;
    this.authFailuresMax = authFailuresMax;
    this.clock = clock;
    Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
    this.windows = Caffeine.newBuilder().maximumSize(SOURCES_TRACKED_MAX).expireAfterAccess(Duration.ofMinutes(10))
        .ticker(ticker).build();
    this.banned = Caffeine.newBuilder().maximumSize(SOURCES_TRACKED_MAX).expireAfterWrite(banDuration).ticker(ticker).build();
  }

  /** Counts a request from {@code source}; BANNED when it must be dropped. */
  Verdict onRequest(String source, String userAgent) {
    if (banned.getIfPresent(source) != null) return Verdict.BANNED;
    if (userAgent != null) {
      String ua = userAgent.toLowerCase(Locale.ROOT);
      for (String s : SCANNER_AGENTS) {
        if (ua.contains(s.toLowerCase(Locale.ROOT))) return ban(source);
      }
    }
    Window w = windows.get(source, k -> new Window());
    long second = clock.millis() / 1000;
    if (w.second != second) {
      w.second = second;
      w.requests = 0;
    }
    if (++w.requests > requestsPerSecondMax) return ban(source);
    return Verdict.PASS;
  }

  /** Counts a failed authentication (wrong password, unknown user, replay); may ban the source. */
  Verdict onAuthFailure(String source) {
    Window w = windows.get(source, k -> new Window());
    if (++w.authFailures >= authFailuresMax) return ban(source);
    return Verdict.PASS;
  }

  void onAuthSuccess(String source) {
    Window w = windows.getIfPresent(source);
    if (w != null) w.authFailures = 0;
  }

  boolean isBanned(String source) {
    return banned.getIfPresent(source) != null;
  }

  void unban(String source) {
    banned.invalidate(source);
    windows.invalidate(source);
  }

  long bans() {
    return bans;
  }

  private Verdict ban(String source) {
    if (banned.getIfPresent(source) == null) bans++;
    banned.put(source, Boolean.TRUE);
    return Verdict.BANNED;
  }
}
