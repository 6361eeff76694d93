package dev.mileage.gateway.shop;

import dev.mileage.gateway.members.MembersOptions;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static dev.mileage.gateway.shop.ShopHarness.check;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The public sign-up helpers must not tell who is a member: asking for a new code answers a verified member's login
 * id exactly like one nobody has (also when asked again too soon), and the one answer of "verify phone" that does
 * tell (already verified) costs the asking address like a wrong guess, so it stops at the same per-source limit.
 */
class MemberProbingTest {
  @TempDir
  static Path dataDir;
  static ShopHarness h;

  @BeforeAll
  static void start() throws Exception {
    h = new ShopHarness(dataDir);
  }

  @AfterAll
  static void stop() {
    if (h != null) h.close();
  }

  private static io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer> post(ShopHarness.Member as, String path,
                                                                                       JsonObject body) throws Exception {
    return as.post(path, body);
  }

  @Test
  void resendingACodeDoesNotTellAVerifiedMemberFromNobody() throws Exception {
    var member = h.new Member("probed01").ready();
    var stranger = h.new Member("nobody01");
    long texts = h.smsc.received().stream().filter(s -> s.to().equals(member.phone)).count();
    var known = post(member, "/auth/resend-code", new JsonObject().put("loginId", member.login));
    var unknown = post(stranger, "/auth/resend-code", new JsonObject().put("loginId", stranger.login));
    assertEquals(unknown.statusCode(), known.statusCode(), known.bodyAsString());
    assertEquals(unknown.bodyAsString(), known.bodyAsString());
    assertEquals(202, known.statusCode());
    var knownAgain = post(member, "/auth/resend-code", new JsonObject().put("loginId", member.login));
    var unknownAgain = post(stranger, "/auth/resend-code", new JsonObject().put("loginId", stranger.login));
    assertEquals(429, unknownAgain.statusCode(), "asked again too soon, like a real member's login");
    assertEquals(unknownAgain.statusCode(), knownAgain.statusCode());
    assertEquals(unknownAgain.bodyAsString(), knownAgain.bodyAsString());
    assertEquals(texts, h.smsc.received().stream().filter(s -> s.to().equals(member.phone)).count(), "no SMS to a verified member");
  }

  @Test
  void verifyingAVerifiedLoginCountsAgainstTheSourceLikeAnUnknownOne() throws Exception {
    var member = h.new Member("probed02").ready();
    int max = MembersOptions.defaults().sourceFailuresMax();
    int answered = 0;
    for (int i = 0; i < max + 1; i++) {
      var r = post(member, "/auth/verify-phone", new JsonObject().put("loginId", member.login).put("code", "123456"));
      if (r.statusCode() == 429) break;
      answered++;
    }
    assertEquals(max, answered, "probing a member's login id stops at the per-source limit");
    h.clock.advance(MembersOptions.defaults().guessWindow().plusSeconds(1));
    check(post(member, "/auth/verify-phone", new JsonObject().put("loginId", member.login).put("code", "123456")), 200);
  }
}
