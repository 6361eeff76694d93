package dev.mileage.gateway.sip;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ViaHeader;
import javax.sip.message.Request;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Limits per source address: new transactions per second (a fixed one-second window), failed
 * authentications, and known scanner user agents. A source over a limit is banned for a while; its
 * requests are then dropped without an answer (answering would feed the flood). Bounded maps; every
 * SIP shard uses it, so its methods are synchronized (each is a few map look-ups).
 * <p>
 * The rate counts transactions, not datagrams: a UDP client that does not hear our answer in time
 * retransmits the same request (RFC 3261 17.1.1.2, 17.1.2.2), so a phone under packet loss, or a load
 * generator waiting on a busy gateway, would otherwise be banned for doing what RFC 3261 tells it to.
 * Only repeats beyond what the retransmission timers can produce count again, so resending one
 * request in a loop is still a flood.
 */
final class SourceGuard {
  static final int SOURCES_TRACKED_MAX = 100_000;
  /** Transactions whose repeats are recognised; a flood of distinct ones gets its source banned first. */
  static final int TRANSACTIONS_TRACKED_MAX = 200_000;
  /**
   * Sends of one request that RFC 3261 timers allow over UDP: a non-INVITE request is sent at 0, 0.5,
   * 1.5, 3.5, 7.5 s and then every 4 s until Timer F (32 s): 11 sends. An INVITE sends fewer (7).
   */
  static final int SENDS_PER_TRANSACTION_MAX = 11;
  /** How long a transaction's repeats are recognised: Timer F / Timer B (64 * T1). */
  static final Duration TRANSACTION_MEMORY = Duration.ofSeconds(32);
  /** User-Agent fragments of SIP scanners (sipvicious and its kin); they are banned at first sight. */
  static final Set<String> SCANNER_AGENTS = Set.of("friendly-scanner", "sipvicious", "sipcli", "sip-scan",
      "sundayddr", "iwar", "sipsak", "vaxsipuseragent", "pplsip", "smap");
  /** RFC 3261 branches start with this; older ones do not identify a transaction on their own. */
  private static final String MAGIC_COOKIE = "z9hG4bK";

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
  /** Per source and transaction: how often its request has arrived (see {@link #SENDS_PER_TRANSACTION_MAX}). */
  private final Cache<String, int[]> sends;
  private long bans;

  SourceGuard(int requestsPerSecondMax, int authFailuresMax, Duration banDuration, Clock clock) {
    this.requestsPerSecondMax = requestsPerSecondMax;
    this.authFailuresMax = authFailuresMax;
    this.clock = clock;
    Ticker ticker = () -> TimeUnit.MILLISECONDS.toNanos(clock.millis());
    this.windows = Caffeine.newBuilder().maximumSize(SOURCES_TRACKED_MAX).expireAfterAccess(Duration.ofMinutes(10))
        .ticker(ticker).build();
    this.banned = Caffeine.newBuilder().maximumSize(SOURCES_TRACKED_MAX).expireAfterWrite(banDuration).ticker(ticker).build();
    this.sends = Caffeine.newBuilder().maximumSize(TRANSACTIONS_TRACKED_MAX).expireAfterWrite(TRANSACTION_MEMORY)
        .ticker(ticker).build();
  }

  /**
   * What identifies the transaction of {@code request} (RFC 3261 17.2.3): the top Via's branch and the
   * method; for a pre-RFC 3261 branch, the Call-ID, CSeq and From tag instead. CANCEL shares its INVITE's
   * branch but is a transaction of its own, hence the method.
   */
  static String transactionKey(Request request) {
    ViaHeader via = (ViaHeader) request.getHeader(ViaHeader.NAME);
    String branch = via == null ? null : via.getBranch();
    String method = request.getMethod();
    if (branch != null && branch.startsWith(MAGIC_COOKIE)) return method + ' ' + branch;
    CallIdHeader callId = (CallIdHeader) request.getHeader(CallIdHeader.NAME);
    CSeqHeader cseq = (CSeqHeader) request.getHeader(CSeqHeader.NAME);
    FromHeader from = (FromHeader) request.getHeader(FromHeader.NAME);
    return method + " 2543 " + (callId == null ? "" : callId.getCallId()) + ' '
        + (cseq == null ? "" : cseq.getSeqNumber()) + ' ' + (from == null ? "" : from.getTag()) + ' '
        + (via == null ? "" : via.getHost() + ':' + via.getPort());
  }

  /** Counts a request from {@code source}; BANNED when it must be dropped. */
  synchronized Verdict onRequest(String source, String userAgent, String transactionKey) {
    if (banned.getIfPresent(source) != null) return Verdict.BANNED;
    if (userAgent != null) {
      String ua = userAgent.toLowerCase(Locale.ROOT);
      for (String s : SCANNER_AGENTS) {
        if (ua.contains(s)) return ban(source);
      }
    }
    int[] seen = sends.get(source + ' ' + transactionKey, k -> new int[1]);
    if (++seen[0] > 1 && seen[0] <= SENDS_PER_TRANSACTION_MAX) return Verdict.PASS; // a retransmission
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
  synchronized Verdict onAuthFailure(String source) {
    Window w = windows.get(source, k -> new Window());
    if (++w.authFailures >= authFailuresMax) return ban(source);
    return Verdict.PASS;
  }

  synchronized void onAuthSuccess(String source) {
    Window w = windows.getIfPresent(source);
    if (w != null) w.authFailures = 0;
  }

  synchronized boolean isBanned(String source) {
    return banned.getIfPresent(source) != null;
  }

  synchronized void unban(String source) {
    banned.invalidate(source);
    windows.invalidate(source);
  }

  synchronized long bans() {
    return bans;
  }

  private Verdict ban(String source) {
    if (banned.getIfPresent(source) == null) bans++;
    banned.put(source, Boolean.TRUE);
    return Verdict.BANNED;
  }
}
