package dev.mileage.bench.media;

import dev.mileage.gateway.webrtc.SrtpKeys;
import dev.mileage.gateway.webrtc.SrtpSession;
import org.HdrHistogram.Histogram;

import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * The crypto path of browser legs, measured directly: for {@code calls} sessions with their own keys,
 * the browser side protects a G.711 packet and the gateway's {@link SrtpSession} unprotects it, then the
 * other way (the gateway protects, the browser unprotects), round-robin over the calls, on one thread.
 * Reports packets per second of one core through the gateway's two SRTP steps and the per-packet cost.
 */
final class SrtpCryptoBench {
  record Result(double gatewayPacketsPerSecondPerCore, Histogram perPacketNanos, long failures) {
  }

  private SrtpCryptoBench() {
  }

  static Result run(int calls, long packetsPerCall, long seed) {
    SecureRandom random = new SecureRandom();
    random.setSeed(seed);
    List<SrtpSession[]> pairs = new ArrayList<>();
    for (int i = 0; i < calls; i++) {
      byte[] m = new byte[SrtpKeys.EXPORT_BYTES];
      random.nextBytes(m);
      pairs.add(new SrtpSession[] {new SrtpSession(SrtpKeys.fromExport(m, false)), new SrtpSession(SrtpKeys.fromExport(m, true))});
    }
    Histogram h = new Histogram(1_000_000_000L, 3);
    long failures = 0;
    long gatewayNanos = 0;
    long gatewayOps = 0;
    byte[] rtp = new byte[12 + 160];
    for (long seq = 1; seq <= packetsPerCall; seq++) {
      for (int i = 0; i < calls; i++) {
        SrtpSession gw = pairs.get(i)[0];
        SrtpSession browser = pairs.get(i)[1];
        rtp[0] = (byte) 0x80;
        rtp[2] = (byte) (seq >> 8);
        rtp[3] = (byte) seq;
        rtp[8] = (byte) (i >> 8);
        rtp[9] = (byte) i;
        byte[] up = browser.protectRtp(rtp);
        long t0 = System.nanoTime();
        byte[] plain = gw.unprotectRtp(up);
        long t1 = System.nanoTime();
        byte[] down = gw.protectRtp(rtp);
        long t2 = System.nanoTime();
        if (plain == null || down == null || browser.unprotectRtp(down) == null) failures++;
        h.recordValue(t1 - t0);
        h.recordValue(t2 - t1);
        gatewayNanos += t2 - t0;
        gatewayOps += 2;
      }
    }
    for (SrtpSession[] p : pairs) {
      p[0].close();
      p[1].close();
    }
    return new Result(gatewayOps * 1e9 / Math.max(1, gatewayNanos), h, failures);
  }
}
