package dev.mileage.gateway.members;

import dev.mileage.fixtures.sip.SipStacks;
import dev.mileage.fixtures.sip.Smsc;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** SIP MESSAGE to the real SMSC fixture over loopback UDP, and to nobody. */
class SipSmsSenderTest {
  private static SmsSender.Result onContext(Vertx vertx, SmsSender sender, String to, String text) throws Exception {
    return Future.<SmsSender.Result>future(p -> vertx.runOnContext(v -> sender.send(to, text).onComplete(p)))
        .toCompletionStage().toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void theSmscReceivesTheTextForTheNumber() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (Smsc smsc = Smsc.start(); SipSmsSender sender = new SipSmsSender(smsc.uri(), "127.0.0.1")) {
      assertEquals(SmsSender.Result.DELIVERED_TO_SMSC, onContext(vertx, sender, "+821055501234", "Your code: 123456"));
      var sms = smsc.awaitMessage("+821055501234", Instant.now().plusSeconds(5)).orElseThrow();
      assertEquals("Your code: 123456", sms.body());
      assertEquals("text/plain", sms.contentType().split(";")[0].trim());
      assertThrows(IllegalArgumentException.class, () -> sender.send("01055501234", "x"));
      assertThrows(IllegalArgumentException.class, () -> sender.send("+821055501234", "x".repeat(161)));
    } finally {
      vertx.close();
    }
  }

  @Test
  void anSmscThatDoesNotAnswerIsReportedUnreachableWithinTheSendTimeout() throws Exception {
    Vertx vertx = Vertx.vertx();
    int silent = SipStacks.freePort("127.0.0.1");
    try (SipSmsSender sender = new SipSmsSender("sip:smsc@127.0.0.1:" + silent, "127.0.0.1")) {
      long start = System.nanoTime();
      assertEquals(SmsSender.Result.UNREACHABLE, onContext(vertx, sender, "+821055509999", "hello"));
      long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
      assertEquals(true, ms < 20_000, "answered in " + ms + " ms, not after SIP's 32 s timer");
      // a message reported as not sent is never delivered later: the stack would otherwise retransmit it until its
      // own 32 s timer (at most T2 = 4 s apart, RFC 3261 17.1.2.2), to an SMSC that is back by then
      try (Smsc back = Smsc.start("127.0.0.1", silent)) {
        Thread.sleep(4_500);
        assertEquals(List.of(), back.received(), "no retransmission of a message given up on");
      }
    } finally {
      vertx.close();
    }
  }
}
