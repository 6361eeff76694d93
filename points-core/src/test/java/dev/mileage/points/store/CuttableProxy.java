package dev.mileage.points.store;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP relay on loopback between the ledger and PostgreSQL that a test can make fail the way a network does:
 * {@link #hold()} lets the ledger writer's requests through and keeps every answer to them back (the server acts,
 * the writer never hears; its connection is known by the application name in its startup message),
 * {@link #cut()} drops every connection and refuses new ones, {@link #open()} relays again.
 */
final class CuttableProxy implements AutoCloseable {
  enum Mode { OPEN, HOLD, CUT }

  private final ServerSocket server;
  private final int targetPort;
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  private volatile Mode mode = Mode.OPEN;
  private volatile boolean closed;

  CuttableProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor = new Thread(this::accept, "proxy-accept");
    acceptor.setDaemon(true);
    acceptor.start();
  }

  int port() {
    return server.getLocalPort();
  }

  void hold() {
    setMode(Mode.HOLD);
  }

  void cut() {
    setMode(Mode.CUT);
    for (Socket s : sockets) closeHard(s);
    sockets.clear();
  }

  void open() {
    setMode(Mode.OPEN);
  }

  private void setMode(Mode m) {
    synchronized (lock) {
      mode = m;
      lock.notifyAll();
    }
  }

  private void accept() {
    while (!closed) {
      try {
        Socket client = server.accept();
        if (mode == Mode.CUT) {
          closeHard(client);
          continue;
        }
        Socket upstream = new Socket();
        upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), targetPort), 5_000);
        sockets.add(client);
        sockets.add(upstream);
        boolean[] writer = new boolean[1];
        pump(client, upstream, false, writer);
        pump(upstream, client, true, writer);
      } catch (IOException e) {
        if (closed) return;
      }
    }
  }

  private void pump(Socket from, Socket to, boolean answers, boolean[] writer) {
    Thread t = new Thread(() -> {
      byte[] buf = new byte[65_536];
      try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
        int n;
        boolean first = true;
        while ((n = in.read(buf)) >= 0) {
          if (!answers && first) {
            writer[0] = new String(buf, 0, n, StandardCharsets.ISO_8859_1).contains(PgLedger.WRITER_APPLICATION_NAME);
            first = false;
          }
          if (answers && writer[0] && !awaitRelay()) break; // held answers are never delivered once cut
          if (mode == Mode.CUT) break;
          out.write(buf, 0, n);
          out.flush();
        }
      } catch (IOException | InterruptedException e) {
        // either side went away: the other goes too
      }
      closeHard(from);
      closeHard(to);
    }, answers ? "proxy-answers" : "proxy-requests");
    t.setDaemon(true);
    t.start();
  }

  /** Waits while answers are held: true to relay, false once cut. */
  private boolean awaitRelay() throws InterruptedException {
    synchronized (lock) {
      while (mode == Mode.HOLD) lock.wait();
      return mode == Mode.OPEN;
    }
  }

  private static void closeHard(Socket s) {
    try {
      s.setSoLinger(true, 0); // a reset, as when a link drops
      s.close();
    } catch (IOException e) {
      // closed already
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    server.close();
    cut();
  }
}
