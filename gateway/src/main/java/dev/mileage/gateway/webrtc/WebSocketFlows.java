package dev.mileage.gateway.webrtc;

import dev.mileage.gateway.sip.Flow;
import gov.nist.javax.sip.SipStackImpl;
import gov.nist.javax.sip.stack.MessageProcessor;
import gov.nist.javax.sip.stack.MessageProcessorFactory;
import gov.nist.javax.sip.stack.NIOHandler;
import gov.nist.javax.sip.stack.NioMessageProcessorFactory;
import gov.nist.javax.sip.stack.NioTcpMessageChannel;
import gov.nist.javax.sip.stack.NioTcpMessageProcessor;
import gov.nist.javax.sip.stack.NioTlsWebSocketMessageChannel;
import gov.nist.javax.sip.stack.NioTlsWebSocketMessageProcessor;
import gov.nist.javax.sip.stack.NioWebSocketMessageChannel;
import gov.nist.javax.sip.stack.NioWebSocketMessageProcessor;
import gov.nist.javax.sip.stack.SIPTransactionStack;
import gov.nist.javax.sip.stack.WebSocketCodec;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reports a browser's WebSocket closing as "flow X closed" ({@link Flow}). RFC 7118 5: once a WebSocket is
 * gone the server cannot reach the browser again, so the dialogs and registrations that came over it are over.
 * <p>
 * Why a message processor factory: jain-sip-ri (1.3.0-91) tells the application nothing when a connection
 * closes. {@code SipListener.processIOException} reports failed sends only; a peer's FIN or RST is an
 * {@code IOException} inside {@code NioTcpMessageChannel.readChannel} that ends in {@code close(true, false)}
 * and a debug line; a WebSocket close frame is answered by {@code NioWebSocketMessageChannel.addBytes} but the
 * TCP connection is left open. The stack's one extension point for transports is the
 * {@code gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY} property: {@link Factory} makes jain-sip's own processors
 * for every transport, and for WS and WSS subclasses whose channels report their close (every path that ends a
 * connection in jain-sip, reads, writes, idle audit, stop, goes through {@code close(boolean, boolean)}) and
 * close the connection after the close frame (RFC 6455 7.1.1: the server closes TCP first). Nothing else in
 * jain-sip changes. jain-sip makes the factory by name and hands it string properties only, so the stack's
 * properties carry a token that names this instance in {@link #INSTALLED} from {@link #install} until the
 * listening point exists ({@link #uninstall}); the processors keep the instance itself.
 */
public final class WebSocketFlows {
  private static final Logger LOG = Logger.getLogger(WebSocketFlows.class.getName());
  /** The stack property that carries this instance to the factory jain-sip makes. */
  static final String PROPERTY = WebSocketFlows.class.getName();
  /** jain-sip's codec remembers a close frame in this private field (see {@link #closeFrameSeen}). */
  private static final Field CODEC = codecField();

  /** Instances between {@link #install} and {@link #uninstall}: one per stack being set up. */
  private static final Map<String, WebSocketFlows> INSTALLED = new ConcurrentHashMap<>();
  private static final AtomicLong TOKENS = new AtomicLong();

  private final String token = "flows-" + TOKENS.incrementAndGet();
  /** Open WebSocket connections: at most the stack's MAX_CONNECTIONS, each removed when it closes. */
  private final Set<String> open = ConcurrentHashMap.newKeySet();
  private final Consumer<String> closed;

  /** {@code closed} runs on jain-sip's I/O thread, once per connection: it must hand off and return. */
  public WebSocketFlows(Consumer<String> closed) {
    this.closed = Objects.requireNonNull(closed, "closed");
  }

  /** Makes the stack created with {@code stackProperties} use these flows for WS and WSS. */
  public void install(Properties stackProperties) {
    stackProperties.setProperty("gov.nist.javax.sip.MESSAGE_PROCESSOR_FACTORY", Factory.class.getName());
    stackProperties.setProperty(PROPERTY, token);
    INSTALLED.put(token, this);
  }

  /** Once the WS or WSS listening point exists (or could not be made): the stack no longer needs the token. */
  public void uninstall() {
    INSTALLED.remove(token);
  }

  /** Whether the WebSocket connection {@code flow} is still open. */
  public boolean isOpen(String flow) {
    return flow != null && open.contains(flow);
  }

  /** WebSocket connections open now. */
  public int openCount() {
    return open.size();
  }

  private String opened(String flow) {
    open.add(flow);
    return flow;
  }

  private void closed(String flow, AtomicBoolean once) {
    if (!once.compareAndSet(false, true)) return;
    open.remove(flow);
    try {
      closed.accept(flow);
    } catch (RuntimeException e) {
      LOG.log(Level.SEVERE, "a closed WebSocket could not be reported", e);
    }
  }

  private static WebSocketFlows of(SIPTransactionStack stack) throws IOException {
    String token = stack instanceof SipStackImpl impl ? impl.getConfigurationProperties().getProperty(PROPERTY) : null;
    WebSocketFlows flows = token == null ? null : INSTALLED.get(token);
    if (flows != null) return flows;
    throw new IOException("WebSocketFlows.Factory needs WebSocketFlows.install on the stack's properties");
  }

  /** Whether jain-sip's codec has read a close frame on {@code channel}. */
  private static boolean closeFrameSeen(NioWebSocketMessageChannel channel) {
    if (CODEC == null) return false; // a jain-sip without the field: the peer's TCP close still ends the flow
    try {
      return CODEC.get(channel) instanceof WebSocketCodec codec && codec.isCloseOpcodeReceived();
    } catch (IllegalAccessException e) {
      return false;
    }
  }

  private static Field codecField() {
    try {
      Field f = NioWebSocketMessageChannel.class.getDeclaredField("codec");
      f.setAccessible(true);
      return f;
    } catch (ReflectiveOperationException | RuntimeException e) {
      LOG.warning("jain-sip's WebSocket codec is not where expected: close frames end a flow only with its TCP close");
      return null;
    }
  }

  /** jain-sip's NIO factory, with WS and WSS processors whose connections report their close. */
  public static final class Factory implements MessageProcessorFactory {
    private final NioMessageProcessorFactory nio = new NioMessageProcessorFactory();

    @Override
    public MessageProcessor createMessageProcessor(SIPTransactionStack stack, InetAddress address, int port,
                                                   String transport) throws IOException {
      if ("WS".equalsIgnoreCase(transport)) return new Ws(address, stack, port, of(stack));
      if ("WSS".equalsIgnoreCase(transport)) return new Wss(address, stack, port, of(stack));
      return nio.createMessageProcessor(stack, address, port, transport);
    }
  }

  /** How a processor makes its channel: jain-sip's WS and WSS channel classes have no common one to extend. */
  private interface ChannelMaker {
    NioTcpMessageChannel make(NioTcpMessageProcessor processor, SocketChannel socket) throws IOException;
  }

  /** jain-sip's per-processor channel cache around {@code make} (as jain-sip's own processors do). */
  private static NioTcpMessageChannel channel(NIOHandler handler, NioTcpMessageProcessor processor, SocketChannel socket,
                                              ChannelMaker make) throws IOException {
    NioTcpMessageChannel channel = handler.getMessageChannel(socket);
    if (channel == null) {
      channel = make.make(processor, socket);
      handler.putMessageChannel(socket, channel);
    }
    return channel;
  }

  private static final class Ws extends NioWebSocketMessageProcessor {
    private final WebSocketFlows flows;

    Ws(InetAddress address, SIPTransactionStack stack, int port, WebSocketFlows flows) {
      super(address, stack, port);
      this.flows = flows;
      this.transport = "WS";
    }

    @Override
    public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor processor, SocketChannel socket)
        throws IOException {
      return channel(nioHandler, processor, socket, (p, s) -> new WsChannel(sipStack, p, s, flows));
    }
  }

  private static final class Wss extends NioTlsWebSocketMessageProcessor {
    private final WebSocketFlows flows;

    Wss(InetAddress address, SIPTransactionStack stack, int port, WebSocketFlows flows) {
      super(address, stack, port);
      this.flows = flows;
      this.transport = "WSS";
    }

    @Override
    public NioTcpMessageChannel createMessageChannel(NioTcpMessageProcessor processor, SocketChannel socket)
        throws IOException {
      return channel(nioHandler, processor, socket, (p, s) -> new WssChannel(sipStack, p, s, flows));
    }
  }

  /**
   * One connection's flow, shared by the WS and WSS channels: registered when the channel is made, reported
   * closed once, whichever of jain-sip's paths closes it; a close frame closes the connection (RFC 6455 7.1.1).
   */
  private static final class Tracked {
    private final WebSocketFlows flows;
    private final String flow;
    private final AtomicBoolean reported = new AtomicBoolean();

    Tracked(WebSocketFlows flows, int localPort, InetAddress peerAddress, int peerPort) {
      this.flows = flows;
      this.flow = flows.opened(Flow.key(localPort, peerAddress, peerPort));
    }

    void closed() {
      flows.closed(flow, reported);
    }
  }

  private static final class WsChannel extends NioWebSocketMessageChannel {
    private final Tracked tracked;

    WsChannel(SIPTransactionStack stack, NioTcpMessageProcessor processor, SocketChannel socket, WebSocketFlows flows)
        throws IOException {
      super(stack, processor, socket);
      this.tracked = new Tracked(flows, getPort(), peerAddress, peerPort);
    }

    @Override
    protected void addBytes(byte[] bytes) throws Exception {
      super.addBytes(bytes);
      if (closeFrameSeen(this)) close(true, true);
    }

    @Override
    protected void close(boolean removeSocket, boolean stopKeepAliveTask) {
      try {
        super.close(removeSocket, stopKeepAliveTask);
      } finally {
        tracked.closed();
      }
    }
  }

  private static final class WssChannel extends NioTlsWebSocketMessageChannel {
    private final Tracked tracked;

    WssChannel(SIPTransactionStack stack, NioTcpMessageProcessor processor, SocketChannel socket, WebSocketFlows flows)
        throws IOException {
      super(stack, processor, socket);
      this.tracked = new Tracked(flows, getPort(), peerAddress, peerPort);
    }

    @Override
    protected void addBytes(byte[] bytes) throws Exception {
      super.addBytes(bytes);
      if (closeFrameSeen(this)) close(true, true);
    }

    @Override
    protected void close(boolean removeSocket, boolean stopKeepAliveTask) {
      try {
        super.close(removeSocket, stopKeepAliveTask);
      } finally {
        tracked.closed();
      }
    }
  }
}
