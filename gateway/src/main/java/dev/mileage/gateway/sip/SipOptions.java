package dev.mileage.gateway.sip;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings of the SIP B2BUA, defaults in {@link #defaults}. Tests shorten the timers; production keeps
 * the RFC minimums (Min-SE 90 s, RFC 4028).
 *
 * @param host               address the stack binds and advertises (Via, Contact, SDP)
 * @param port               UDP and TCP port; 0: a free one
 * @param trunkUri           the PSTN trunk, e.g. {@code sip:pstn.example:5060}
 * @param trunkCredentials   the trunk's digest credentials if it challenges us
 * @param realm              digest realm of the subscribers (their HA1s depend on it)
 * @param nonceLifetime      a nonce older than this is answered with stale=true
 * @param messageBytesMax    larger messages are refused (513) or dropped
 * @param callsPerAccountMax concurrent calls of one member
 * @param callsMax           concurrent calls of the gateway (bounds memory and media ports)
 * @param requestsPerSourcePerSecond  above this a source is banned for {@code banDuration}
 * @param authFailuresPerSourceMax    failed authentications from one source before a ban
 * @param sessionExpires     the session interval we ask for (RFC 4028)
 * @param minSessionExpires  our Min-SE: smaller Session-Expires get 422
 * @param mediaInactivity    no RTP from either side for this long ends the call, as does no RTP from a browser
 *                           leg (a browser sends even when muted); the time is billed until the last packet
 * @param trunkTimeout       no final answer from the trunk within this ends the attempt (480, ring timeout)
 * @param sha256First        order of the two 401 challenges. On by default: RFC 8760 section 2.4 lists the
 *                           most preferred algorithm first, and RFC 8760 phones take the first one they know.
 *                           Off (MD5 first) only for clients that read just the first challenge and know
 *                           only MD5: SIPp 3.6 is one (see bench/README.md); {@code MILEAGE_SIP_MD5_FIRST=true}.
 * @param overloadDelay      overload control ({@link OverloadGate}): while SIP events wait longer than this for
 *                           their event loop, new calls and registrations get 503 with Retry-After at the door
 *                           ({@code MILEAGE_SIP_OVERLOAD_DELAY_MS})
 */
public record SipOptions(String host, int port, String trunkUri, Optional<TrunkCredentials> trunkCredentials,
                         String realm, Duration nonceLifetime, int messageBytesMax, int callsPerAccountMax,
                         int callsMax, int requestsPerSourcePerSecond, int authFailuresPerSourceMax,
                         Duration banDuration, Duration sessionExpires, Duration minSessionExpires,
                         Duration mediaInactivity, Duration trunkTimeout, int rtpPortMin, int rtpPortMax,
                         boolean sha256First, Duration overloadDelay) {
  public static final int CALLS_PER_ACCOUNT_MAX = 4;
  public static final int CALLS_MAX = 20_000;
  public static final int MESSAGE_BYTES_MAX = 16 * 1024;

  public record TrunkCredentials(String user, String password) {
    public TrunkCredentials {
      Objects.requireNonNull(user, "user");
      Objects.requireNonNull(password, "password");
    }

    @Override
    public String toString() {
      return "TrunkCredentials[user=" + user + "]";
    }
  }

  public SipOptions {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(trunkUri, "trunkUri");
    Objects.requireNonNull(trunkCredentials, "trunkCredentials");
    Objects.requireNonNull(realm, "realm");
    positive(nonceLifetime, "nonceLifetime");
    positive(banDuration, "banDuration");
    positive(sessionExpires, "sessionExpires");
    positive(minSessionExpires, "minSessionExpires");
    positive(mediaInactivity, "mediaInactivity");
    positive(trunkTimeout, "trunkTimeout");
    positive(overloadDelay, "overloadDelay");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port out of range");
    if (messageBytesMax < 1024 || messageBytesMax > 65535) throw new IllegalArgumentException("messageBytesMax 1024..65535");
    if (callsPerAccountMax < 1 || callsMax < 1) throw new IllegalArgumentException("call limits must be positive");
    if (requestsPerSourcePerSecond < 1 || authFailuresPerSourceMax < 1) throw new IllegalArgumentException("limits must be positive");
    if (sessionExpires.compareTo(minSessionExpires) < 0) throw new IllegalArgumentException("sessionExpires below Min-SE");
    if (rtpPortMin < 1024 || rtpPortMax > 65534 || rtpPortMax - rtpPortMin < 2) throw new IllegalArgumentException("bad RTP port range");
  }

  private static void positive(Duration d, String name) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + " must be positive");
  }

  public static SipOptions defaults(String host, int port, String trunkUri) {
    return new SipOptions(host, port, trunkUri, Optional.empty(), "mileage", Duration.ofMinutes(5), MESSAGE_BYTES_MAX,
        CALLS_PER_ACCOUNT_MAX, CALLS_MAX, 200, 10, Duration.ofMinutes(10), Duration.ofMinutes(30),
        Duration.ofSeconds(90), Duration.ofSeconds(60), Duration.ofSeconds(90), 20000, 59998, true,
        OverloadGate.DELAY_DEFAULT);
  }

  public SipOptions withTimers(Duration sessionExpires, Duration minSessionExpires, Duration mediaInactivity) {
    return new SipOptions(host, port, trunkUri, trunkCredentials, realm, nonceLifetime, messageBytesMax,
        callsPerAccountMax, callsMax, requestsPerSourcePerSecond, authFailuresPerSourceMax, banDuration,
        sessionExpires, minSessionExpires, mediaInactivity, trunkTimeout, rtpPortMin, rtpPortMax, sha256First,
        overloadDelay);
  }

  public SipOptions withNonceLifetime(Duration d) {
    return new SipOptions(host, port, trunkUri, trunkCredentials, realm, d, messageBytesMax, callsPerAccountMax,
        callsMax, requestsPerSourcePerSecond, authFailuresPerSourceMax, banDuration, sessionExpires,
        minSessionExpires, mediaInactivity, trunkTimeout, rtpPortMin, rtpPortMax, sha256First, overloadDelay);
  }

  public SipOptions withTrunkCredentials(String user, String password) {
    return new SipOptions(host, port, trunkUri, Optional.of(new TrunkCredentials(user, password)), realm,
        nonceLifetime, messageBytesMax, callsPerAccountMax, callsMax, requestsPerSourcePerSecond,
        authFailuresPerSourceMax, banDuration, sessionExpires, minSessionExpires, mediaInactivity, trunkTimeout,
        rtpPortMin, rtpPortMax, sha256First, overloadDelay);
  }

  public SipOptions withLimits(int callsPerAccount, int calls, int requestsPerSecond, int authFailures) {
    return new SipOptions(host, port, trunkUri, trunkCredentials, realm, nonceLifetime, messageBytesMax,
        callsPerAccount, calls, requestsPerSecond, authFailures, banDuration, sessionExpires, minSessionExpires,
        mediaInactivity, trunkTimeout, rtpPortMin, rtpPortMax, sha256First, overloadDelay);
  }

  public SipOptions withRtpPorts(int min, int max) {
    return new SipOptions(host, port, trunkUri, trunkCredentials, realm, nonceLifetime, messageBytesMax,
        callsPerAccountMax, callsMax, requestsPerSourcePerSecond, authFailuresPerSourceMax, banDuration,
        sessionExpires, minSessionExpires, mediaInactivity, trunkTimeout, min, max, sha256First, overloadDelay);
  }

  public SipOptions withSha256First(boolean first) {
    return new SipOptions(host, port, trunkUri, trunkCredentials, realm, nonceLifetime, messageBytesMax,
        callsPerAccountMax, callsMax, requestsPerSourcePerSecond, authFailuresPerSourceMax, banDuration,
        sessionExpires, minSessionExpires, mediaInactivity, trunkTimeout, rtpPortMin, rtpPortMax, first, overloadDelay);
  }

  public SipOptions withOverloadDelay(Duration d) {
    return new SipOptions(host, port, trunkUri, trunkCredentials, realm, nonceLifetime, messageBytesMax,
        callsPerAccountMax, callsMax, requestsPerSourcePerSecond, authFailuresPerSourceMax, banDuration,
        sessionExpires, minSessionExpires, mediaInactivity, trunkTimeout, rtpPortMin, rtpPortMax, sha256First, d);
  }

  public SipOptions withTrunkTimeout(Duration d) {
    return new SipOptions(host, port, trunkUri, trunkCredentials, realm, nonceLifetime, messageBytesMax,
        callsPerAccountMax, callsMax, requestsPerSourcePerSecond, authFailuresPerSourceMax, banDuration,
        sessionExpires, minSessionExpires, mediaInactivity, d, rtpPortMin, rtpPortMax, sha256First, overloadDelay);
  }
}
