package dev.mileage.gateway.webrtc;

import io.vertx.core.net.SocketAddress;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Browser tests keep their media on loopback (127.0.0.0/8, ::1): this checks it on the gateway's side, from
 * the legs themselves, so a browser that starts using another interface fails the test instead of quietly
 * sending its media over the machine's own address.
 */
final class LoopbackMedia {
  private LoopbackMedia() {
  }

  /**
   * Every valid ICE check of every leg came from a loopback address and every selected pair is one; with
   * {@code mediaExpected}, at least one leg selected a pair (a test whose media flowed cannot pass vacuously).
   */
  static void assertLoopbackOnly(Collection<WebRtcLeg> legs, boolean mediaExpected) {
    assertFalse(legs.isEmpty(), "no browser leg was opened");
    boolean anySelected = false;
    for (WebRtcLeg leg : List.copyOf(legs)) {
      for (SocketAddress from : leg.checkSources()) {
        assertTrue(isLoopback(from), "an ICE check came from a non-loopback address: " + from + " (all: " + leg.checkSources() + ")");
      }
      SocketAddress selected = leg.selected();
      if (selected != null) {
        anySelected = true;
        assertTrue(isLoopback(selected), "the selected pair's browser address is not loopback: " + selected);
      }
    }
    if (mediaExpected) assertTrue(anySelected, "no leg selected a pair");
  }

  static boolean isLoopback(SocketAddress a) {
    try {
      return InetAddress.getByName(a.hostAddress()).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }
}
