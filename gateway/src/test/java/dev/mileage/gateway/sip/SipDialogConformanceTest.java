package dev.mileage.gateway.sip;

import dev.mileage.fixtures.sip.TestUac;
import dev.mileage.fixtures.sip.TrunkCall;
import dev.mileage.fixtures.sip.UacCall;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sip.header.CSeqHeader;
import javax.sip.header.CallIdHeader;
import javax.sip.header.FromHeader;
import javax.sip.header.ToHeader;
import javax.sip.message.Response;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

import static dev.mileage.gateway.sip.SipTestBed.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * In-dialog requests written by hand and sent over loopback UDP on a live call, as a SIP test suite sends
 * them: tags that name no dialog of ours (RFC 3261 12.2.2: 481), and offers that cross a pending one (RFC 3311
 * 5.2, RFC 3261 14.2: 500 with Retry-After for a second offer from the same side). The trunk answers after a
 * delay, so a relayed offer stays pending while the next request arrives.
 */
class SipDialogConformanceTest {
  /** How long the trunk sits on each answer: a relayed re-INVITE is pending at least this long. */
  static final Duration TRUNK_DELAY = Duration.ofSeconds(2);
  /** The gateway's Min-SE here (RFC 4028's floor). */
  static final int MIN_SE_SECONDS = 90;

  @TempDir
  static Path dataDir;
  static SipTestBed bed;
  static TestUac alice;

  @BeforeAll
  static void start() throws Exception {
    bed = new SipTestBed(dataDir, t -> t.withResponseDelay(TRUNK_DELAY),
        o -> o.withTimers(Duration.ofMinutes(30), Duration.ofSeconds(MIN_SE_SECONDS), Duration.ofSeconds(60)));
    bed.member("member:1", "alice", 100_000);
    alice = TestUac.start(TestUac.Options.to("127.0.0.1", bed.sip.port(), "alice", SipTestBed.PASSWORD));
  }

  @AfterAll
  static void stop() throws Exception {
    if (alice != null) alice.close();
    if (bed != null) bed.close();
  }

  @AfterEach
  void idle() throws Exception {
    bed.awaitIdle();
  }

  /** An answered call: what a hand-written request on its caller's dialog needs, and the trunk's side. */
  record Answered(UacCall call, TrunkCall far, String number, String callId, String fromTag, String toTag, long cseq) {
  }

  static Answered answered(String number) throws Exception {
    UacCall call = alice.invite(number);
    assertEquals(200, call.awaitFinal(WAIT));
    Response ok = call.answer();
    TrunkCall far = bed.trunk.awaitCall(number, WAIT).orElseThrow();
    return new Answered(call, far, number, ((CallIdHeader) ok.getHeader(CallIdHeader.NAME)).getCallId(),
        ((FromHeader) ok.getHeader(FromHeader.NAME)).getTag(), ((ToHeader) ok.getHeader(ToHeader.NAME)).getTag(),
        ((CSeqHeader) ok.getHeader(CSeqHeader.NAME)).getSeqNumber());
  }

  static String request(RawSip raw, String method, Answered a, String fromTag, String toTag, long cseq, String body) {
    String content = body == null ? "" : body;
    return method + " sip:gw@127.0.0.1:" + raw.gatewayPort() + " SIP/2.0\n"
        + "Via: SIP/2.0/" + raw.transport() + " " + raw.via() + ";branch=z9hG4bK-" + UUID.randomUUID() + ";rport\n"
        + "Max-Forwards: 70\n"
        + "From: <sip:alice@127.0.0.1>;tag=" + fromTag + "\n"
        + "To: <sip:" + a.number + "@127.0.0.1>;tag=" + toTag + "\n"
        + "Call-ID: " + a.callId + "\n"
        + "CSeq: " + cseq + " " + method + "\n"
        + "Contact: <sip:alice@" + raw.via() + raw.contactParams() + ">\n"
        + (body == null ? "" : "Content-Type: application/sdp\n")
        + "Content-Length: " + wireLength(content) + "\n\n" + content;
  }

  /** The octets {@code body} takes once {@link RawSip#send(String)} has made its line ends CRLF. */
  static int wireLength(String body) {
    return body.replace("\r\n", "\n").replace("\n", "\r\n").getBytes(StandardCharsets.UTF_8).length;
  }

  static String offer(int port, int version) {
    return "v=0\no=- 1 " + version + " IN IP4 127.0.0.1\ns=-\nc=IN IP4 127.0.0.1\nt=0 0\nm=audio " + port
        + " RTP/AVP 0\na=rtpmap:0 PCMU/8000\na=sendrecv\n";
  }

  /** Replies on {@code raw} until one matches {@code last} (it included) or {@code WAIT} passes. */
  static List<RawSip.Reply> until(RawSip raw, Predicate<RawSip.Reply> last) throws Exception {
    return raw.until(last, (int) WAIT.toMillis());
  }

  static RawSip.Reply finalFor(List<RawSip.Reply> replies, String method) {
    return replies.stream().filter(r -> r.code() >= 200 && r.first("cseq").endsWith(" " + method)).findFirst()
        .orElseThrow(() -> new AssertionError("no final answer to " + method + " in " + replies));
  }

  @Test
  void aReinviteOrUpdateWhoseTagsNameNoDialogOfOursGets481AndChangesNothing() throws Exception {
    Answered a = answered("+15550100101");
    try (RawSip raw = new RawSip(bed.sip.port())) {
      // the live call's Call-ID, but another dialog: To tag not ours, or From tag not the caller's
      String[][] tags = {{a.fromTag, "not-ours"}, {"not-the-callers", a.toTag}};
      for (String[] t : tags) {
        for (String method : List.of("INVITE", "UPDATE")) {
          String sent = request(raw, method, a, t[0], t[1], a.cseq + 10, offer(40000, 9));
          raw.send(sent);
          // this request's own answer, by its branch: an INVITE's 481 over UDP is retransmitted (Timer G, 500 ms
          // doubling) until ACKed, so on a slow machine an earlier INVITE's copy could come first
          String branch = branchOf(sent);
          RawSip.Reply answer = finalFor(until(raw, r -> r.code() >= 200 && r.first("via").contains(branch)).stream()
              .filter(r -> r.first("via").contains(branch)).toList(), method);
          assertEquals(481, answer.code(), method + " with From tag " + t[0] + ", To tag " + t[1] + ": " + answer.text());
          if (method.equals("INVITE")) raw.send(ackOfFailure(sent)); // RFC 3261 17.1.1.3: ends the retransmissions
        }
      }
    }
    assertEquals(0, a.far.reinvites(), "nothing was relayed to the trunk");
    assertEquals(0, a.far.updates(), "nothing was relayed to the trunk");
    assertEquals(1, bed.liveCalls(), "the call is untouched");
    assertEquals(200, a.call.bye(WAIT), "and its own dialog still works");
  }

  @Test
  void anUpdateOfferWhileTheCallersOwnOfferIsPendingGets500WithRetryAfterAndTheFirstCompletes() throws Exception {
    Answered a = answered("+15550100102");
    try (RawSip raw = new RawSip(bed.sip.port())) {
      raw.send(request(raw, "UPDATE", a, a.fromTag, a.toTag, a.cseq + 1, offer(40000, 3)));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (a.far.updates() == 0 && System.nanoTime() < deadline) Thread.sleep(5);
      assertEquals(1, a.far.updates(), "the first offer is with the trunk, which answers after " + TRUNK_DELAY);

      // RFC 3311 5.2: an offer while we have not yet answered the caller's own offer: 500 with Retry-After
      raw.send(request(raw, "UPDATE", a, a.fromTag, a.toTag, a.cseq + 2, offer(40002, 4)));
      List<RawSip.Reply> replies = until(raw, r -> r.code() >= 200 && r.first("cseq").startsWith((a.cseq + 1) + " "));
      RawSip.Reply second = replies.stream().filter(r -> r.first("cseq").startsWith((a.cseq + 2) + " ")).findFirst()
          .orElseThrow(() -> new AssertionError("no answer to the second UPDATE before the first's: " + replies));
      assertEquals(500, second.code(), second.text());
      String retryAfter = second.first("retry-after");
      assertNotNull(retryAfter, "500 for a crossing offer carries Retry-After: " + second.text());
      int seconds = Integer.parseInt(retryAfter.split("[;(\\s]")[0]);
      assertTrue(seconds >= 0 && seconds <= 10, "Retry-After between 0 and 10 s: " + retryAfter);
      RawSip.Reply first = replies.get(replies.size() - 1);
      assertEquals(200, first.code(), "the first offer is answered as usual: " + first.text());
      assertEquals(1, a.far.updates(), "the refused UPDATE never reached the trunk");
      // the caller's dialog is at our CSeq now: hang up from here
      raw.send(request(raw, "BYE", a, a.fromTag, a.toTag, a.cseq + 3, null));
      assertEquals(200, finalFor(until(raw, r -> r.code() >= 200 && r.first("cseq").endsWith(" BYE")), "BYE").code());
    }
    assertTrue(a.far.awaitEnded(WAIT));
  }

  @Test
  void aSecondReinviteWhileTheCallersFirstIsPendingGets500WithRetryAfterAndTheFirstCompletes() throws Exception {
    Answered a = answered("+15550100106");
    try (RawSip raw = new RawSip(bed.sip.port())) {
      raw.send(request(raw, "INVITE", a, a.fromTag, a.toTag, a.cseq + 1, offer(40020, 3)));
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (a.far.reinvites() == 0 && System.nanoTime() < deadline) Thread.sleep(5);
      assertEquals(1, a.far.reinvites(), "the first re-INVITE is with the trunk, which answers after " + TRUNK_DELAY);

      // RFC 3261 14.2: a second INVITE before our final response to the first: 500 with Retry-After 0 to 10 s
      String secondInvite = request(raw, "INVITE", a, a.fromTag, a.toTag, a.cseq + 2, offer(40022, 4));
      raw.send(secondInvite);
      List<RawSip.Reply> toSecond = until(raw, r -> r.code() >= 200 && r.first("cseq").startsWith((a.cseq + 2) + " "));
      RawSip.Reply refused = finalFor(toSecond, "INVITE");
      assertTrue(refused.first("cseq").startsWith((a.cseq + 2) + " "), "the second is answered first: " + toSecond);
      assertEquals(500, refused.code(), refused.text());
      String retryAfter = refused.first("retry-after");
      assertNotNull(retryAfter, "500 for a second INVITE carries Retry-After: " + refused.text());
      int seconds = Integer.parseInt(retryAfter.split("[;(\\s]")[0]);
      assertTrue(seconds >= 0 && seconds <= 10, "Retry-After between 0 and 10 s: " + retryAfter);
      long ackNanos = System.nanoTime();
      raw.send(ackOfFailure(secondInvite));

      List<RawSip.Reply> toFirst = until(raw, r -> r.code() >= 200 && r.first("cseq").startsWith((a.cseq + 1) + " "));
      RawSip.Reply first = finalFor(toFirst, "INVITE");
      assertEquals(200, first.code(), "the first re-INVITE is answered as usual: " + first.text());
      assertTrue(first.first("cseq").startsWith((a.cseq + 1) + " "), first.text());
      raw.send(request(raw, "ACK", a, a.fromTag, a.toTag, a.cseq + 1, null));
      assertEquals(1, a.far.reinvites(), "the refused re-INVITE never reached the trunk");
      raw.send(request(raw, "BYE", a, a.fromTag, a.toTag, a.cseq + 3, null));
      List<RawSip.Reply> bye = until(raw, r -> r.code() >= 200 && r.first("cseq").endsWith(" BYE"));
      assertEquals(200, finalFor(bye, "BYE").code());
      List<RawSip.Reply> after = new ArrayList<>(toFirst);
      after.addAll(bye);
      // RFC 3261 17.2.1: the ACK ends the 500's retransmissions (Timer G: 0.5, 1.5, 3.5 s after it, until Timer H).
      // A copy sent before the gateway had processed the ACK is correct, so the 0.5 and 1.5 s ones prove nothing on
      // a loaded machine; the 3.5 s one would be sent only if the ACK was ignored: listen until it would have come
      long lateFrom = ackNanos + Duration.ofSeconds(2).toNanos();
      long listenUntil = ackNanos + Duration.ofMillis(4_500).toNanos();
      long leftMs = (listenUntil - System.nanoTime()) / 1_000_000L;
      if (leftMs > 0) after.addAll(raw.until(r -> false, (int) leftMs));
      List<RawSip.Reply> copies = after.stream().filter(r -> r.first("cseq").startsWith((a.cseq + 2) + " ")).toList();
      assertTrue(copies.stream().noneMatch(r -> r.receivedNanos() >= lateFrom),
          "the 500 was ACKed: not sent again 2 s or more after the ACK: " + copies.size() + " copies, " + after);
    }
    assertTrue(a.far.awaitEnded(WAIT));
  }

  /** The Via branch of a request written by {@link #request}. */
  static String branchOf(String request) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile(";branch=([^;\\s]+)").matcher(request);
    if (!m.find()) throw new AssertionError("no branch in " + request);
    return m.group(1);
  }

  /** The ACK of a failure answer to the in-dialog {@code invite}: its transaction, so its branch (RFC 3261 17.1.1.3). */
  static String ackOfFailure(String invite) {
    String head = invite.substring(0, invite.indexOf("\n\n") + 1).replaceFirst("^INVITE ", "ACK ")
        .replaceFirst("(?m)^(CSeq: \\d+) INVITE$", "$1 ACK").replaceAll("(?m)^(Content-Type|Content-Length|Contact):.*\n", "");
    return head + "Content-Length: 0\n\n";
  }

  @Test
  void aRequestWithoutCallIdCSeqFromOrToGets400NamingWhatIsMissing() throws Exception {
    String uri = "sip:+15550100001@127.0.0.1";
    for (String method : List.of("OPTIONS", "INVITE")) {
      for (String missing : List.of("Call-ID", "CSeq", "From", "To")) {
        try (RawSip raw = new RawSip(bed.sip.port())) {
          List<String> headers = new ArrayList<>(List.of(
              "Via: SIP/2.0/UDP " + raw.via() + ";branch=z9hG4bK-" + UUID.randomUUID(), "Max-Forwards: 70",
              "From: <sip:alice@127.0.0.1>;tag=a", "To: <" + uri + ">", "Call-ID: " + UUID.randomUUID(),
              "CSeq: 7 " + method, "Contact: <sip:alice@" + raw.via() + ">"));
          headers.removeIf(h -> h.startsWith(missing + ":"));
          raw.send(method + " " + uri + " SIP/2.0\n" + String.join("\n", headers) + "\nContent-Length: 0\n\n");
          List<RawSip.Reply> replies = raw.untilFinal((int) WAIT.toMillis());
          String what = method + " without " + missing;
          assertTrue(!replies.isEmpty(), what + ": no answer");
          RawSip.Reply r = replies.get(replies.size() - 1);
          assertEquals(400, r.code(), what + ": " + r.text());
          assertEquals("Bad Request (missing " + missing + ")", r.reason(), what);
          // the client matches the answer by its branch and its method (RFC 3261 17.1.3)
          assertTrue(r.first("cseq").endsWith(" " + method), what + ": " + r.text());
        }
      }
    }
    assertEquals(0, bed.liveCalls());
  }

  /** {@code name}="value" or name=value out of a challenge. */
  static String param(String challenge, String name) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)\\b" + name + "=\"?([^\",]*)").matcher(challenge);
    if (!m.find()) throw new AssertionError("no " + name + " in " + challenge);
    return m.group(1);
  }

  /**
   * A call from {@code raw} itself as alice (From tag {@code RAW_FROM_TAG}), answering the MD5 challenge: the
   * replies to the authenticated INVITE (CSeq 2), its final one last. {@code extraHeaders}: header lines, each ending in a newline.
   */
  static List<RawSip.Reply> rawCall(RawSip raw, String number, String callId, String extraHeaders, String sdp) throws Exception {
    return rawCall(raw, number, callId, extraHeaders, sdp, r -> r.code() >= 200);
  }

  /** The same, the replies up to the one that matches {@code last}. */
  static List<RawSip.Reply> rawCall(RawSip raw, String number, String callId, String extraHeaders, String sdp,
                                    Predicate<RawSip.Reply> last) throws Exception {
    String uri = "sip:" + number + "@127.0.0.1";
    java.util.function.BiFunction<Integer, String, String> invite = (cseq, authorization) -> "INVITE " + uri + " SIP/2.0\n"
        + "Via: SIP/2.0/" + raw.transport() + " " + raw.via() + ";branch=z9hG4bK-st" + cseq + callId + ";rport\n"
        + "Max-Forwards: 70\nFrom: <sip:alice@127.0.0.1>;tag=" + RAW_FROM_TAG + "\nTo: <" + uri + ">\nCall-ID: " + callId + "\n"
        + "CSeq: " + cseq + " INVITE\nContact: <sip:alice@" + raw.via() + raw.contactParams() + ">\n" + extraHeaders
        + (authorization == null ? "" : "Authorization: " + authorization + "\n")
        + "Content-Type: application/sdp\nContent-Length: " + wireLength(sdp) + "\n\n" + sdp;
    raw.send(invite.apply(1, null));
    RawSip.Reply challenge = raw.untilFinal((int) WAIT.toMillis()).stream().filter(r -> r.code() == 401).findFirst()
        .orElseThrow();
    raw.send("ACK " + uri + " SIP/2.0\nVia: SIP/2.0/" + raw.transport() + " " + raw.via() + ";branch=z9hG4bK-st1" + callId + ";rport\nMax-Forwards: 70\n"
        + "From: <sip:alice@127.0.0.1>;tag=" + RAW_FROM_TAG + "\nTo: " + challenge.first("to") + "\nCall-ID: " + callId
        + "\nCSeq: 1 ACK\nContent-Length: 0\n\n");
    String md5 = challenge.all("www-authenticate").stream().filter(h -> h.contains("MD5")).findFirst().orElseThrow();
    String realm = param(md5, "realm");
    String nonce = param(md5, "nonce");
    String ha1 = DigestAuth.ha1("MD5", "alice", realm, SipTestBed.PASSWORD);
    String response = DigestAuth.hash("MD5", ha1 + ":" + nonce + ":00000001:c1:auth:" + DigestAuth.hash("MD5", "INVITE:" + uri));
    raw.send(invite.apply(2, "Digest username=\"alice\",realm=\"" + realm + "\",nonce=\"" + nonce + "\",uri=\"" + uri
        + "\",response=\"" + response + "\",algorithm=MD5,qop=auth,nc=00000001,cnonce=\"c1\""));
    // replies to the INVITE with credentials (CSeq 2) only: over UDP the 401 is retransmitted (Timer G) until our
    // ACK is processed, and a copy sent before that could otherwise be taken for the final answer
    return raw.until(r -> r.first("cseq") != null && r.first("cseq").startsWith("2 ") && last.test(r), (int) WAIT.toMillis());
  }

  static final String RAW_FROM_TAG = "st1";

  @Test
  void aShortSessionExpiresFromACallerWithoutTimerSupportIsRaisedNot422() throws Exception {
    String number = "+15550100103";
    String callId = UUID.randomUUID().toString();
    try (RawSip raw = new RawSip(bed.sip.port())) {
      // a proxy on the way added Session-Expires; the caller itself knows nothing of timers (no Supported: timer)
      List<RawSip.Reply> replies = rawCall(raw, number, callId, "Session-Expires: 30\n", offer(40010, 1));
      RawSip.Reply ok = replies.get(replies.size() - 1);
      assertEquals(200, ok.code(), "RFC 4028 9: no 422 to a caller that did not say Supported: timer: " + ok.text());
      assertEquals(MIN_SE_SECONDS + ";refresher=uas", ok.first("session-expires").replace(" ", ""),
          "our minimum, refreshed by us: " + ok.text());
      assertTrue(ok.all("require").stream().noneMatch(h -> h.contains("timer")), "no Require: timer: " + ok.text());
      Answered a = new Answered(null, null, number, callId, RAW_FROM_TAG, param(ok.first("to"), "tag"), 2);
      raw.send(request(raw, "ACK", a, a.fromTag, a.toTag, 2, null));
      raw.send(request(raw, "BYE", a, a.fromTag, a.toTag, 3, null));
      assertEquals(200, finalFor(until(raw, r -> r.code() >= 200 && r.first("cseq").endsWith(" BYE")), "BYE").code());
    }
  }

  @Test
  void aPrackThatMatchesNoReliableProvisionalResponseGets481() throws Exception {
    Answered a = answered("+15550100104");
    try (RawSip raw = new RawSip(bed.sip.port())) {
      unmatchedPrackGets481(raw, a);
    }
  }

  @Test
  void aPrackThatMatchesNoReliableProvisionalResponseGets481OverTcpToo() throws Exception {
    Answered a = answered("+15550100105");
    try (RawSip raw = RawSip.tcp(bed.sip.port())) {
      unmatchedPrackGets481(raw, a);
    }
  }

  @Test
  void aPrackThatMatchesOurReliableProvisionalResponseGetsOnly200OverTcp() throws Exception {
    String number = "+15550100002"; // rings, then answers
    String callId = UUID.randomUUID().toString();
    try (RawSip raw = RawSip.tcp(bed.sip.port())) {
      List<RawSip.Reply> replies = rawCall(raw, number, callId, "Require: 100rel\n", offer(40040, 1),
          r -> r.code() >= 200 || (r.code() > 100 && r.first("rseq") != null));
      RawSip.Reply reliable = replies.get(replies.size() - 1);
      assertNotNull(reliable.first("rseq"), "a reliable provisional response first: " + replies);
      Answered a = new Answered(null, null, number, callId, RAW_FROM_TAG, param(reliable.first("to"), "tag"), 2);
      // RFC 3262 3: the PRACK that matches it is answered 200 by the gateway, and only that (no 481 after it)
      raw.send(request(raw, "PRACK", a, a.fromTag, a.toTag, 3, null)
          .replace("Max-Forwards: 70\n", "Max-Forwards: 70\nRAck: " + reliable.first("rseq").trim() + " 2 INVITE\n"));
      List<RawSip.Reply> untilAnswered = until(raw, r -> r.code() >= 200 && r.first("cseq").startsWith("2 "));
      assertEquals(200, finalFor(untilAnswered, "INVITE").code(), "the call is answered: " + untilAnswered);
      raw.send(request(raw, "ACK", a, a.fromTag, a.toTag, 2, null));
      List<RawSip.Reply> toPrack = new ArrayList<>(untilAnswered);
      toPrack.addAll(raw.receive(1500));
      assertEquals(List.of(200), toPrack.stream().filter(r -> r.first("cseq").endsWith(" PRACK")).map(RawSip.Reply::code)
          .toList(), "exactly one answer to the PRACK: " + toPrack);
      raw.send(request(raw, "BYE", a, a.fromTag, a.toTag, 4, null));
      assertEquals(200, finalFor(until(raw, r -> r.code() >= 200 && r.first("cseq").endsWith(" BYE")), "BYE").code());
    }
  }

  /** RFC 3262 3: exactly one 481 for a PRACK nothing awaits, on the dialog of {@code a} and on no dialog; then BYE. */
  static void unmatchedPrackGets481(RawSip raw, Answered a) throws Exception {
    // nothing of ours awaits a PRACK on this answered call
    String prack = request(raw, "PRACK", a, a.fromTag, a.toTag, a.cseq + 1, null)
        .replace("Max-Forwards: 70\n", "Max-Forwards: 70\nRAck: 77 " + a.cseq + " INVITE\n");
    raw.send(prack);
    // the answer (bounded), then a quiet moment in which a second one would show up (1.5 s of quiet alone was also
    // the whole wait for the first, too short on a loaded machine)
    List<RawSip.Reply> inDialog = new ArrayList<>(until(raw, r -> r.code() >= 200));
    inDialog.addAll(raw.receive(1500));
    assertEquals(List.of(481), inDialog.stream().map(RawSip.Reply::code).toList(), raw.transport() + ", in the dialog: " + inDialog);
    // on no dialog at all jain-sip answers 481 itself: once, not twice
    raw.send(prack.replace("Call-ID: " + a.callId, "Call-ID: unknown-" + a.callId).replace("branch=z9hG4bK-", "branch=z9hG4bK-u"));
    List<RawSip.Reply> unknown = new ArrayList<>(until(raw, r -> r.code() >= 200));
    unknown.addAll(raw.receive(1500));
    assertEquals(List.of(481), unknown.stream().map(RawSip.Reply::code).toList(), raw.transport() + ", no dialog: " + unknown);
    raw.send(request(raw, "BYE", a, a.fromTag, a.toTag, a.cseq + 2, null));
    assertEquals(200, finalFor(until(raw, r -> r.code() >= 200 && r.first("cseq").endsWith(" BYE")), "BYE").code());
  }
}
