package dev.mileage.gateway.webrtc;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A browser-like peer in Java for tests: a real UDP socket on loopback, ICE connectivity checks as the
 * controlling agent, a DTLS client handshake (BouncyCastle) and SRTP with jitsi-srtp. One reader thread
 * demultiplexes like the gateway does: DTLS to the handshake, STUN and SRTP to queues.
 */
final class JavaWebRtcPeer implements AutoCloseable {
  static final String UFRAG = "brws";
  static final String PWD = "browserpassword0123456789";
  final DatagramSocket socket;
  final DtlsIdentity identity;
  final BlockingQueue<byte[]> stun = new ArrayBlockingQueue<>(64);
  final BlockingQueue<byte[]> media = new ArrayBlockingQueue<>(4096);
  private final DtlsTransportQueue dtls;
  private final Thread reader;
  private volatile InetSocketAddress gateway;
  SrtpSession srtp;

  JavaWebRtcPeer(DtlsIdentity identity) throws IOException {
    this.identity = identity;
    this.socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    this.dtls = new DtlsTransportQueue(rec -> send(rec));
    this.reader = new Thread(this::read, "java-webrtc-peer");
    reader.setDaemon(true);
    reader.start();
  }

  static JavaWebRtcPeer create() throws IOException {
    return new JavaWebRtcPeer(DtlsIdentity.generate(new SecureRandom(), Instant.now()));
  }

  /** The offer a browser would send (SAVPF, our fingerprint, actpass, rtcp-mux, PCMU + telephone-event). */
  String offer() {
    return "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\n"
        + "m=audio 9 UDP/TLS/RTP/SAVPF 111 0 8 126\r\nc=IN IP4 0.0.0.0\r\na=mid:0\r\n"
        + "a=ice-ufrag:" + UFRAG + "\r\na=ice-pwd:" + PWD + "\r\n"
        + "a=fingerprint:" + identity.fingerprint().sdpValue() + "\r\na=setup:actpass\r\na=rtcp-mux\r\na=sendrecv\r\n"
        + "a=rtpmap:111 opus/48000/2\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n"
        + "a=rtpmap:126 telephone-event/8000\r\n";
  }

  int port() {
    return socket.getLocalPort();
  }

  void target(int gatewayPort) {
    gateway = new InetSocketAddress(InetAddress.getLoopbackAddress(), gatewayPort);
  }

  void send(byte[] b) {
    try {
      socket.send(new DatagramPacket(b, b.length, gateway));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** One connectivity check; answers the gateway's response or null on timeout. */
  byte[] check(String remoteUfrag, String remotePwd, boolean nominate) throws InterruptedException {
    byte[] tid = new byte[12];
    new SecureRandom().nextBytes(tid);
    send(Stun.request(tid, remoteUfrag + ":" + UFRAG, remotePwd, nominate));
    return stun.poll(5, TimeUnit.SECONDS);
  }

  DtlsResult handshake(Fingerprint expected) {
    DtlsResult r = DtlsHandshake.run(false, identity, expected, dtls);
    if (r.outcome() == DtlsOutcome.OK) srtp = new SrtpSession(r.keys());
    return r;
  }

  private void read() {
    byte[] buf = new byte[2048];
    while (!socket.isClosed()) {
      DatagramPacket p = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(p);
      } catch (SocketTimeoutException e) {
        continue;
      } catch (IOException e) {
        return;
      }
      byte[] data = Arrays.copyOf(p.getData(), p.getLength());
      switch (PacketKind.of(data)) {
        case STUN -> stun.offer(data);
        case DTLS -> dtls.offer(data);
        case RTP, RTCP -> media.offer(data);
        default -> { }
      }
    }
  }

  @Override
  public void close() {
    socket.close();
    dtls.close();
    if (srtp != null) srtp.close();
  }
}
