package dev.mileage.gateway.webrtc;

import dev.mileage.fixtures.sip.DemoNumbers;
import dev.mileage.gateway.sip.RawSip;
import dev.mileage.gateway.sip.SubscriberStore;
import dev.mileage.points.ledger.Account;
import dev.mileage.points.ledger.AccountFlags;
import dev.mileage.points.ledger.Ledger;
import dev.mileage.points.ledger.StandardPointTypes;
import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.metering.Tariff;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * RFC 3262 3 on the gateway as it runs with browsers (jain-sip's NIO transports: WebSocket, RFC 7118, and TCP):
 * a PRACK that matches no reliable provisional response gets exactly one 481, on the connection it came over,
 * on a live dialog and on none, and the call goes on.
 */
class BrowserPrackTest {
  static final Duration WAIT = Duration.ofSeconds(15);
  /** How long to collect answers to one PRACK: a second (wrong) answer would come within it. */
  static final Duration QUIET = Duration.ofMillis(1500);
  static final long FUNDS = 6_000;
  @TempDir
  static Path dataDir;
  static BrowserGateway gateway;
  static final SecureRandom RANDOM = new SecureRandom();

  @BeforeAll
  static void start() throws Exception {
    gateway = BrowserGateway.start(dataDir, "ws-prack-operator-password", o -> o, "1555", "demo", Tariff.of(60, 1, 1, 0));
    Ledger ledger = gateway.app().context().ledger();
    Account issuer = BrowserConnectionCloseTest.await(ledger.openAccount("operator:issuance", StandardPointTypes.MILEAGE,
        AccountFlags.NONE));
    for (String member : List.of("member:71", "member:72")) {
      Account a = BrowserConnectionCloseTest.await(ledger.openAccount(member, StandardPointTypes.MILEAGE,
          AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS));
      BrowserConnectionCloseTest.await(ledger.submit(Transfer.single(Transfer.idOf("test:ws-prack:fund:" + member),
          issuer.id(), a.id(), FUNDS, TransferCodes.SIGN_UP_BONUS, "test")));
    }
  }

  @AfterAll
  static void stop() {
    if (gateway != null) gateway.close();
  }

  static SubscriberStore.Temporary credential(String member) {
    return gateway.sip().subscribers(gateway.app().context())
        .issueTemporary(member, WebPhoneFeature.CREDENTIAL_LIFETIME, RANDOM).orElseThrow();
  }

  /** A browser call answered and ACKed: its 200. */
  static String answered(WsSipClient c, JavaWebRtcPeer peer, String member, String callId) throws Exception {
    BrowserConnectionCloseTest.secureMedia(gateway, c, peer, credential(member), DemoNumbers.ECHO, callId);
    String ok = c.awaitFinal(WAIT);
    assertNotNull(ok, "no answer to the call");
    assertEquals(200, WsSipClient.status(ok), ok);
    c.send(c.ack(ok, DemoNumbers.ECHO, domain()));
    return ok;
  }

  static String domain() {
    return gateway.web().domain().orElseThrow();
  }

  /**
   * The status codes of the responses to a PRACK that arrive on {@code c}: the first within {@link #WAIT}, then any
   * more within {@link #QUIET} of it. (QUIET alone was also the whole wait for the first, short on a loaded machine.)
   */
  static List<Integer> prackResponses(WsSipClient c) throws Exception {
    List<Integer> out = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      if (left <= 0) return out;
      String m = c.received.poll(left, TimeUnit.NANOSECONDS);
      if (m == null) return out;
      String cseq = WsSipClient.header(m, "CSeq");
      if (m.startsWith("SIP/2.0 ") && cseq != null && cseq.endsWith(" PRACK")) {
        out.add(WsSipClient.status(m));
        if (out.size() == 1) deadline = System.nanoTime() + QUIET.toNanos(); // a second answer would come now
      }
    }
  }

  /** The same over a raw connection: every response until the first final one (within WAIT), then within QUIET. */
  static List<Integer> prackResponses(RawSip raw) throws Exception {
    List<RawSip.Reply> out = new ArrayList<>(raw.until(r -> r.code() >= 200, (int) WAIT.toMillis()));
    out.addAll(raw.receive((int) QUIET.toMillis()));
    return out.stream().map(RawSip.Reply::code).toList();
  }

  static String rack(String ok) {
    return "RAck: 77 " + WsSipClient.header(ok, "CSeq").split(" ")[0] + " INVITE";
  }

  @Test
  void aPrackThatMatchesNothingGets481OverTheWebSocket() throws Exception {
    try (JavaWebRtcPeer peer = JavaWebRtcPeer.create(); WsSipClient c = new WsSipClient(gateway.web().webSocketUrl().orElseThrow())) {
      String ok = answered(c, peer, "member:71", "ws-" + WsSipClient.hex(8));
      String prack = c.inDialog("PRACK", ok, DemoNumbers.ECHO, domain(), rack(ok));
      c.send(prack);
      assertEquals(List.of(481), prackResponses(c), "in the dialog");
      c.send(prack.replace("Call-ID: ", "Call-ID: unknown-").replace(";branch=z9hG4bK", ";branch=z9hG4bKu"));
      assertEquals(List.of(481), prackResponses(c), "on no dialog");
      c.send(c.inDialog("BYE", ok, DemoNumbers.ECHO, domain()));
      String bye = c.awaitFinal(WAIT);
      assertNotNull(bye, "no answer to the BYE");
      assertEquals(200, WsSipClient.status(bye), "the call went on until its BYE: " + bye);
    }
  }

  @Test
  void aPrackThatMatchesNothingGets481OverTcp() throws Exception {
    try (JavaWebRtcPeer peer = JavaWebRtcPeer.create(); WsSipClient c = new WsSipClient(gateway.web().webSocketUrl().orElseThrow());
         RawSip raw = RawSip.tcp(gateway.sip().service().orElseThrow().port())) {
      String ok = answered(c, peer, "member:72", "ws-" + WsSipClient.hex(8));
      // the same dialog, named from a TCP connection of the NIO stack
      String prack = "PRACK sip:" + DemoNumbers.ECHO + "@" + domain() + " SIP/2.0\n"
          + "Via: SIP/2.0/TCP " + raw.via() + ";branch=z9hG4bK-" + UUID.randomUUID() + ";rport\n"
          + "Max-Forwards: 70\n"
          + "From: " + WsSipClient.header(ok, "From") + "\n"
          + "To: " + WsSipClient.header(ok, "To") + "\n"
          + "Call-ID: " + WsSipClient.header(ok, "Call-ID") + "\n"
          + "CSeq: 90 PRACK\n" + rack(ok) + "\nContent-Length: 0\n\n";
      raw.send(prack);
      assertEquals(List.of(481), prackResponses(raw), "in the dialog; the gateway closed the connection: " + raw.closedByPeer());
      raw.send(prack.replace("Call-ID: ", "Call-ID: unknown-").replace("branch=z9hG4bK-", "branch=z9hG4bK-u"));
      assertEquals(List.of(481), prackResponses(raw), "on no dialog; the gateway closed the connection: " + raw.closedByPeer());
      c.send(c.inDialog("BYE", ok, DemoNumbers.ECHO, domain()));
      String bye = c.awaitFinal(WAIT);
      assertNotNull(bye, "no answer to the BYE");
      assertEquals(200, WsSipClient.status(bye), "the call went on until its BYE: " + bye);
    }
  }
}
