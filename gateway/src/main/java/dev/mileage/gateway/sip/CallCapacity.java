package dev.mileage.gateway.sip;

import java.lang.management.ManagementFactory;

/**
 * How many calls this gateway can anchor at once: the configured limit, the media port range and the
 * process's file descriptors, whichever is smallest. Every anchored phone call holds
 * {@link #MEDIA_FDS_PER_CALL} UDP sockets (RTP and RTCP on each leg) and {@link #PORT_SLOTS_PER_CALL} even
 * ports of the range. A call admitted past the descriptor limit would fail its socket binds, and worse, the
 * exhausted process could no longer open a database connection, accept SIP over TCP or serve the API:
 * so calls past this capacity get 503 at admission, before anything is reserved in the ledger.
 */
final class CallCapacity {
  /** RTP and RTCP sockets of the caller's leg and of the trunk's leg. */
  static final int MEDIA_FDS_PER_CALL = 4;
  /** Even ports of the range per call (a browser leg takes a third, and gets 503 when the range runs out). */
  static final int PORT_SLOTS_PER_CALL = 2;
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
   * @param fdLimit the process's open-file limit (RLIMIT_NOFILE), {@link Long#MAX_VALUE} when unknown
   */
  static Capacity of(int configuredCallsMax, int portSlots, long fdLimit) {
    if (configuredCallsMax < 1 || portSlots < 1 || fdLimit < 1) throw new IllegalArgumentException("bounds must be positive");
    long byPorts = portSlots / PORT_SLOTS_PER_CALL;
    long byFds = Math.max(0, fdLimit - FDS_RESERVED) / MEDIA_FDS_PER_CALL;
    if (byFds < configuredCallsMax && byFds <= byPorts) return new Capacity((int) Math.max(1, byFds), Bound.FILE_DESCRIPTORS);
    if (byPorts < configuredCallsMax) return new Capacity((int) Math.max(1, byPorts), Bound.MEDIA_PORTS);
    return new Capacity(configuredCallsMax, Bound.CONFIGURED);
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
