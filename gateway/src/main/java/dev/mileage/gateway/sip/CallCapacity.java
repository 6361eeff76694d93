package dev.mileage.gateway.sip;

import dev.mileage.gateway.media.RtpRelay;
import dev.mileage.gateway.media.SocketBudget;

import java.lang.management.ManagementFactory;

/**
 * How many calls this gateway can anchor at once: the configured limit, the media port range and the
 * process's file descriptors. An anchored phone call holds one UDP socket on port P for both legs when both
 * multiplex RTCP (RFC 5761), and a second one on P + 1 when a leg does not ({@link RtpRelay}); it takes
 * {@link #PORT_SLOTS_PER_CALL} pair of the range either way. A call admitted past the descriptor limit
 * would fail its socket binds, and worse, the exhausted process could no longer open a database connection,
 * accept SIP over TCP or serve the API: so calls past this capacity get 503 at admission, before anything
 * is reserved in the ledger.
 *
 * <p>Descriptors are accounted as they are really used, not per call at worst (two each would leave
 * (20,000 - 1,024) / 2 = 9,488 calls under this machine's limit of 20,000): {@link #budget} is a
 * {@link SocketBudget} of the limit less {@link #FDS_RESERVED}; admission leases
 * {@link #MEDIA_FDS_PER_CALL_MAX} from it (a call's multiplexing is known only once the trunk answers), and
 * the relay gives back P + 1's share as soon as both legs multiplex. So a call is admitted while
 * {@code held + 2 <= limit - reserve}, where {@code held} is the media sockets open plus one for every call
 * still being set up. The static {@link #of} bound assumes the best case (one per call); the budget
 * enforces the real one.
 */
final class CallCapacity {
  /** What a call may need at worst: P, and P + 1 for RTCP when a leg does not multiplex it. */
  static final int MEDIA_FDS_PER_CALL_MAX = RtpRelay.SOCKETS_MAX;
  /** What a call needs when both legs multiplex RTCP on P. */
  static final int MEDIA_FDS_PER_CALL_MIN = 1;
  /** Even ports of the range per call: P (P + 1 is reserved with it; a browser leg takes two more pairs). */
  static final int PORT_SLOTS_PER_CALL = 1;
  /**
   * Descriptors kept for everything that is not call media: jars, selectors and event loops, the database
   * pool, SIP over TCP and WebSocket connections, HTTP connections (a gateway at rest holds about 65).
   */
  static final int FDS_RESERVED = 1024;

  /** What limits the calls: the smallest of the three. */
  enum Bound { CONFIGURED, MEDIA_PORTS, FILE_DESCRIPTORS }

  record Capacity(int callsMax, Bound bound) {}

  private CallCapacity() {}

  /**
   * The most calls that can ever be anchored at once (descriptors at the best case of one per call; the
   * {@link #budget} admits by what is really open).
   *
   * @param fdLimit the process's open-file limit (RLIMIT_NOFILE), {@link Long#MAX_VALUE} when unknown
   */
  static Capacity of(int configuredCallsMax, int portSlots, long fdLimit) {
    if (configuredCallsMax < 1 || portSlots < 1 || fdLimit < 1) throw new IllegalArgumentException("bounds must be positive");
    long byPorts = portSlots / PORT_SLOTS_PER_CALL;
    long byFds = Math.max(0, fdLimit - FDS_RESERVED) / MEDIA_FDS_PER_CALL_MIN;
    if (byFds < configuredCallsMax && byFds <= byPorts) return new Capacity((int) Math.max(1, byFds), Bound.FILE_DESCRIPTORS);
    if (byPorts < configuredCallsMax) return new Capacity((int) Math.max(1, byPorts), Bound.MEDIA_PORTS);
    return new Capacity(configuredCallsMax, Bound.CONFIGURED);
  }

  /** The descriptors call media may hold at once: the limit less {@link #FDS_RESERVED} (at least one call's worth). */
  static SocketBudget budget(long fdLimit) {
    if (fdLimit < 1) throw new IllegalArgumentException("fdLimit must be positive");
    if (fdLimit == Long.MAX_VALUE) return SocketBudget.unlimited();
    return new SocketBudget(Math.max(MEDIA_FDS_PER_CALL_MAX, fdLimit - FDS_RESERVED));
  }

  /** This process's open-file limit, or {@link Long#MAX_VALUE} where the platform does not say. */
  static long processFdLimit() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      long max = unix.getMaxFileDescriptorCount();
      return max > 0 ? max : Long.MAX_VALUE;
    }
    return Long.MAX_VALUE;
  }
}
