package dev.mileage.bench.calls;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/** Free loopback ports, probed by binding (other engineers' tests run at the same time: never a fixed port). */
final class Ports {
  static final int PROBES_MAX = 50;

  private Ports() {}

  /** A port free for both UDP and TCP on 127.0.0.1 (SIP listens on both). */
  static int freeUdpAndTcp() {
    for (int probe = 0; probe < PROBES_MAX; probe++) {
      try (DatagramSocket udp = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
        int port = udp.getLocalPort();
        try (ServerSocket tcp = new ServerSocket()) {
          tcp.setReuseAddress(false);
          tcp.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
          return port;
        } catch (IOException tcpTaken) {
          // try another
        }
      } catch (IOException e) {
        throw new IllegalStateException("cannot bind a loopback UDP socket", e);
      }
    }
    throw new IllegalStateException("no port free for both UDP and TCP after " + PROBES_MAX + " probes");
  }

  /** A port free for TCP on 127.0.0.1 (HTTP). */
  static int freeTcp() {
    try (ServerSocket tcp = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return tcp.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("cannot bind a loopback TCP socket", e);
    }
  }
}
