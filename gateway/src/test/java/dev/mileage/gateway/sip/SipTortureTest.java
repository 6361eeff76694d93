package dev.mileage.gateway.sip;

import dev.mileage.fixtures.sip.DemoNumbers;
import dev.mileage.fixtures.sip.TestUac;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static dev.mileage.gateway.sip.SipTestBed.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * RFC 4475 (SIP torture test messages), written from the RFC's text and sent as raw UDP datagrams: every
 * message of sections 3.1.1 (valid) and 3.1.2 (invalid), and those of 3.2 to 3.4 a UAS answers. Each must
 * get exactly the answer the RFC names ({@link TortureValid}, {@link TortureInvalid},
 * {@link TortureApplication} say which and why), answers to well-formed requests must echo what RFC 3261
 * 8.2.6.2 asks, and the gateway must keep serving afterwards. Nothing reaches the trunk.
 */
class SipTortureTest {
  /** Silence this long after a datagram means it was dropped. */
  static final int DROP_WAIT_MS = 1500;
  /** After a final answer, other answers (to octets that should have been ignored) would arrive within this. */
  static final int AFTER_FINAL_MS = 300;
  static final Pattern TAG = Pattern.compile("(?i);\\s*tag\\s*=\\s*([^;\\s,]+)");
  static final Pattern BRANCH = Pattern.compile("(?i);\\s*branch\\s*=\\s*([^;\\s,]+)");

  @TempDir
  static Path dataDir;
  static SipTestBed bed;

  @BeforeAll
  static void start() throws Exception {
    bed = new SipTestBed(dataDir, t -> t, o -> o);
    bed.member("member:1", "alice", 1_000);
  }

  @AfterAll
  static void stop() throws Exception {
    if (bed != null) bed.close();
  }

  static List<TortureCase> all() {
    return Stream.of(TortureValid.all(), TortureInvalid.all(), TortureApplication.all()).flatMap(List::stream).toList();
  }

  @Test
  void everySection311And312MessageIsCovered() {
    List<String> sections = all().stream().map(TortureCase::section).toList();
    for (int i = 1; i <= 13; i++) assertEquals(true, sections.contains("3.1.1." + i), "3.1.1." + i);
    for (int i = 1; i <= 19; i++) assertEquals(true, sections.contains("3.1.2." + i), "3.1.2." + i);
  }

  @Test
  void tortureMessagesGetTheRfcsAnswerAndTheGatewayKeepsServing() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (TortureCase c : all()) {
      try (RawSip socket = new RawSip(bed.sip.port())) {
        byte[] datagram = c.datagram(socket.via());
        socket.send(datagram);
        List<RawSip.Reply> replies = socket.untilFinal(c.expected() == TortureCase.DROPPED ? DROP_WAIT_MS : (int) WAIT.toMillis());
        replies.addAll(socket.receive(AFTER_FINAL_MS));
        List<RawSip.Reply> finals = replies.stream().filter(r -> r.code() >= 200).toList();
        int code = finals.isEmpty() ? TortureCase.DROPPED : finals.get(0).code();
        if (code != c.expected()) {
          wrong.add(c + ": got " + code + (finals.isEmpty() ? "" : " " + finals.get(0).reason())
              + ", expected " + c.expected());
          continue;
        }
        // a retransmitted final answer is fine, a different one (to ignored octets) is not
        for (RawSip.Reply r : finals) {
          if (r.code() != c.expected() || !same(r.first("call-id"), finals.get(0).first("call-id"))) {
            wrong.add(c + ": a second answer " + r.code() + " for " + r.first("call-id"));
          }
        }
        if (c.valid() && code != TortureCase.DROPPED) {
          String request = new String(datagram, StandardCharsets.UTF_8);
          wrong.addAll(echoProblems(c, request, finals.get(0)));
          wrong.addAll(contentProblems(c, finals.get(0)));
        }
      }
    }
    assertEquals(List.of(), wrong);
    try (TestUac alice = TestUac.start(TestUac.Options.to("127.0.0.1", bed.sip.port(), "alice", SipTestBed.PASSWORD))) {
      assertEquals(200, alice.options(WAIT), "still serving");
      var call = alice.invite(DemoNumbers.ECHO);
      assertEquals(200, call.awaitFinal(WAIT), "and still placing calls");
      assertEquals(200, call.bye(WAIT));
    }
    bed.awaitIdle();
    assertEquals(1, bed.trunk.calls().size(), "no torture message reached the trunk");
  }

  /** The same parser runs for TCP, where jain-sip's reader hands it lines without their CR. */
  @Test
  void overTcpTheSameRefusalsAndAcceptances() throws Exception {
    List<String> wrong = new ArrayList<>();
    for (TortureCase c : all()) {
      if (!List.of("insuf", "insufnocseq", "lwsstart", "trws", "baddn", "badaspec", "regbadct", "multi01", "lwsdisp", "transports", "esc01")
          .contains(c.name())) {
        continue;
      }
      try (java.net.Socket tcp = new java.net.Socket("127.0.0.1", bed.sip.port())) {
        tcp.setSoTimeout((int) WAIT.toMillis());
        String via = "127.0.0.1:" + tcp.getLocalPort();
        // other Call-IDs than the UDP run's: the same INVITE again would be a merged request (482)
        String text = new String(c.datagram(via), StandardCharsets.UTF_8).replace("SIP/2.0/UDP " + via, "SIP/2.0/TCP " + via)
            .replace("Call-ID: ", "Call-ID: tcp.").replace("\r\ni: ", "\r\ni: tcp.");
        tcp.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        int code = finalCodeOverTcp(tcp.getInputStream());
        if (code != c.expected()) wrong.add(c + " over TCP: got " + code + ", expected " + c.expected());
      }
    }
    assertEquals(List.of(), wrong);
  }

  /** Reads responses off a TCP stream until a final one; its code. */
  static int finalCodeOverTcp(java.io.InputStream in) throws java.io.IOException {
    java.io.BufferedReader r = new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8));
    while (true) {
      String status = r.readLine();
      if (status == null) return TortureCase.DROPPED;
      if (!status.startsWith("SIP/2.0 ")) continue;
      int code = Integer.parseInt(status.substring(8, 11));
      int length = 0;
      for (String line = r.readLine(); line != null && !line.isEmpty(); line = r.readLine()) {
        String lower = line.toLowerCase(Locale.ROOT);
        if (lower.startsWith("content-length:") || lower.startsWith("l:")) length = Integer.parseInt(line.substring(line.indexOf(':') + 1).trim());
      }
      for (int i = 0; i < length; i++) r.read(); // bodies of our answers are ASCII
      if (code >= 200) return code;
    }
  }

  static boolean same(String a, String b) {
    return a == null ? b == null : a.equals(b);
  }

  /** RFC 3261 8.2.6.2: a response copies Via, Call-ID, CSeq and From (tag included), and a final one has a To tag. */
  static List<String> echoProblems(TortureCase c, String request, RawSip.Reply r) {
    List<String> out = new ArrayList<>();
    RawSip.Reply asked = RawSip.parse("SIP/2.0 000 request\r\n" + request.substring(request.indexOf("\r\n") + 2));
    if (!same(asked.first("call-id"), r.first("call-id"))) {
      out.add(c + ": Call-ID " + r.first("call-id") + " instead of " + asked.first("call-id"));
    }
    if (cseqNumber(asked.first("cseq")) != cseqNumber(r.first("cseq"))) {
      out.add(c + ": CSeq " + r.first("cseq") + " instead of " + asked.first("cseq"));
    }
    if (!same(group(TAG, asked.first("from")), group(TAG, r.first("from")))) {
      out.add(c + ": From tag " + r.first("from") + " instead of " + asked.first("from"));
    }
    if (!same(group(BRANCH, asked.first("via")), group(BRANCH, r.first("via")))) {
      out.add(c + ": Via " + r.first("via") + " instead of " + asked.first("via"));
    }
    if (r.code() >= 200 && group(TAG, r.first("to")) == null) out.add(c + ": no To tag in " + r.first("to"));
    return out;
  }

  /** What each answer must carry to be useful to the client (RFC 3261 21.x and 20.x). */
  static List<String> contentProblems(TortureCase c, RawSip.Reply r) {
    List<String> out = new ArrayList<>();
    switch (r.code()) {
      case 401 -> {
        List<String> challenges = r.all("www-authenticate");
        if (challenges.size() != 2 || !challenges.get(0).contains("SHA-256") || !challenges.get(1).contains("MD5")
            || !challenges.stream().allMatch(h -> h.contains("realm=\"mileage\"") && h.contains("qop=\"auth\""))) {
          out.add(c + ": challenges " + challenges);
        }
      }
      case 405 -> {
        if (r.first("allow") == null) out.add(c + ": 405 without Allow");
      }
      case 415 -> {
        if (r.first("accept") == null || !r.first("accept").contains("application/sdp")) out.add(c + ": 415 without Accept");
      }
      case 420 -> {
        String u = String.join(",", r.all("unsupported")).toLowerCase(Locale.ROOT);
        if (!u.contains("nothingsupportsthis") || !u.contains("nothingsupportsthiseither")) out.add(c + ": Unsupported " + u);
      }
      case 200 -> {
        if (r.first("allow") == null || r.first("accept") == null) out.add(c + ": OPTIONS 200 without Allow/Accept");
      }
      default -> {
      }
    }
    if (r.first("server") == null) out.add(c + ": no Server header (our own answers all carry one)");
    return out;
  }

  static String group(Pattern p, String value) {
    if (value == null) return null;
    Matcher m = p.matcher(value);
    return m.find() ? m.group(1) : null;
  }

  static long cseqNumber(String cseq) {
    if (cseq == null) return -1;
    try {
      return Long.parseLong(cseq.trim().split("\\s+")[0]);
    } catch (NumberFormatException e) {
      return -2;
    }
  }
}
