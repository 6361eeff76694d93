package dev.mileage.gateway.sip;

import dev.mileage.fixtures.sip.TestUac;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.sip.SipFactory;
import javax.sip.address.AddressFactory;
import javax.sip.address.SipURI;
import javax.sip.header.ContactHeader;
import javax.sip.header.MinExpiresHeader;
import javax.sip.message.Request;
import javax.sip.message.Response;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

import static dev.mileage.gateway.sip.SipTestBed.WAIT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * REGISTER with several Contacts over loopback (RFC 3261 10.3): the registrar takes the request as a whole, so
 * one Contact it refuses (out of the per-user bound, out of order, too brief, a wildcard among others) leaves
 * every binding as it was, which a REGISTER without Contact then lists (10.2.3).
 */
class SipRegisterTest {
  /** The binding each test starts from. */
  static final String OLD = "sip:old@192.0.2.1:5060";
  static final int OLD_EXPIRES_SECONDS = 600;
  /** The Call-ID the old binding was made with. */
  static final String OLD_CALL_ID = "old-" + UUID.randomUUID();

  @TempDir
  static Path dataDir;
  static SipTestBed bed;
  static AddressFactory addresses;

  @BeforeAll
  static void start() throws Exception {
    bed = new SipTestBed(dataDir, t -> t, o -> o);
    addresses = SipFactory.getInstance().createAddressFactory();
  }

  @AfterAll
  static void stop() throws Exception {
    if (bed != null) bed.close();
  }

  /** A phone of a fresh user whose one binding is {@link #OLD}. */
  static TestUac phoneWithOldBinding(String user) throws Exception {
    bed.member("member:" + user, user, 0);
    TestUac uac = TestUac.start(TestUac.Options.to("127.0.0.1", bed.sip.port(), user, SipTestBed.PASSWORD));
    Response r = register(uac, OLD_CALL_ID, List.of(contact(uac, OLD, OLD_EXPIRES_SECONDS)));
    assertEquals(200, r.getStatusCode(), r.toString());
    assertEquals(List.of(OLD), List.copyOf(bindings(uac).keySet()));
    return uac;
  }

  static ContactHeader contact(TestUac uac, String uri, int expiresSeconds) throws Exception {
    ContactHeader c = uac.headers().createContactHeader(addresses.createAddress(addresses.createURI(uri)));
    if (expiresSeconds >= 0) c.setExpires(expiresSeconds);
    return c;
  }

  /** A REGISTER of {@code uac}'s own address of record carrying exactly {@code contacts}; its final answer. */
  static Response register(TestUac uac, String callId, List<ContactHeader> contacts) throws Exception {
    SipURI registrar = uac.uri(null);
    registrar.setUser(null);
    Request r = uac.newRequest(Request.REGISTER, registrar, uac.user(), callId);
    r.removeHeader(ContactHeader.NAME);
    for (ContactHeader c : contacts) r.addHeader(c);
    Response answer = uac.sendForResponse(r, null, WAIT);
    assertNotNull(answer, "no answer to the REGISTER");
    return answer;
  }

  /** The bindings as the registrar lists them to a REGISTER without Contact: contact to seconds left. */
  static Map<String, Integer> bindings(TestUac uac) throws Exception {
    Response r = register(uac, UUID.randomUUID().toString(), List.of());
    assertEquals(200, r.getStatusCode(), r.toString());
    Map<String, Integer> out = new TreeMap<>();
    r.getHeaders(ContactHeader.NAME).forEachRemaining(h -> {
      ContactHeader c = (ContactHeader) h;
      out.put(c.getAddress().getURI().toString(), c.getExpires());
    });
    return out;
  }

  static void assertOnlyTheOldBinding(TestUac uac) throws Exception {
    Map<String, Integer> now = bindings(uac);
    assertEquals(List.of(OLD), List.copyOf(now.keySet()), "nothing bound or removed: " + now);
    assertTrue(now.get(OLD) <= OLD_EXPIRES_SECONDS, "the old binding was not refreshed either: " + now);
  }

  @Test
  void severalValidContactsAreBoundTogether() throws Exception {
    try (TestUac uac = phoneWithOldBinding("reg0")) {
      Response r = register(uac, UUID.randomUUID().toString(),
          List.of(contact(uac, "sip:a@192.0.2.2", 600), contact(uac, "sip:b@192.0.2.3", 900), contact(uac, OLD, 0)));
      assertEquals(200, r.getStatusCode(), r.toString());
      assertEquals(List.of("sip:a@192.0.2.2", "sip:b@192.0.2.3"), List.copyOf(bindings(uac).keySet()));
    }
  }

  @Test
  void contactsPastThePerUserBoundChangeNothing() throws Exception {
    try (TestUac uac = phoneWithOldBinding("reg1")) {
      List<ContactHeader> contacts = new ArrayList<>(List.of(contact(uac, OLD, 1200)));
      // with the old one, one more than a user may have: the first ones fit, the last does not
      for (int i = 0; i < Registrar.BINDINGS_PER_USER_MAX; i++) contacts.add(contact(uac, "sip:new" + i + "@192.0.2.9", 600));
      Response r = register(uac, UUID.randomUUID().toString(), contacts);
      assertEquals(503, r.getStatusCode(), r.toString());
      assertOnlyTheOldBinding(uac);
    }
  }

  @Test
  void aContactGivenTwiceIsOutOfOrderAndChangesNothing() throws Exception {
    try (TestUac uac = phoneWithOldBinding("reg2")) {
      // RFC 3261 10.3 step 7: the second finds the first's binding with the same Call-ID and CSeq: the request fails
      Response r = register(uac, UUID.randomUUID().toString(),
          List.of(contact(uac, "sip:twice@192.0.2.4", 600), contact(uac, OLD, 0), contact(uac, "sip:twice@192.0.2.4", 900)));
      assertEquals(500, r.getStatusCode(), r.toString());
      assertOnlyTheOldBinding(uac);
    }
  }

  @Test
  void aTooBriefExpiresAmongValidContactsGets423AndChangesNothing() throws Exception {
    try (TestUac uac = phoneWithOldBinding("reg3")) {
      Response r = register(uac, UUID.randomUUID().toString(), List.of(contact(uac, "sip:fine@192.0.2.5", 600),
          contact(uac, OLD, 0), contact(uac, "sip:brief@192.0.2.6", Registrar.EXPIRES_MIN_SECONDS - 1)));
      assertEquals(423, r.getStatusCode(), r.toString());
      assertEquals(Registrar.EXPIRES_MIN_SECONDS, ((MinExpiresHeader) r.getHeader(MinExpiresHeader.NAME)).getExpires());
      assertOnlyTheOldBinding(uac);
    }
  }

  @Test
  void aWildcardOutOfOrderForOneBindingRemovesNone() throws Exception {
    try (TestUac uac = phoneWithOldBinding("reg5")) {
      Response r = register(uac, UUID.randomUUID().toString(), List.of(contact(uac, "sip:other@192.0.2.8", 600)));
      assertEquals(200, r.getStatusCode(), r.toString());
      Response refresh = register(uac, OLD_CALL_ID, List.of(contact(uac, OLD, OLD_EXPIRES_SECONDS)));
      assertEquals(200, refresh.getStatusCode(), refresh.toString());
      long oldCseq = ((javax.sip.header.CSeqHeader) refresh.getHeader(javax.sip.header.CSeqHeader.NAME)).getSeqNumber();
      // RFC 3261 10.3 step 6: "*" on the old binding's Call-ID with its CSeq (not higher): aborted, nothing removed
      Response challenge = uac.sendOnce(wildcard(uac, oldCseq), WAIT);
      assertEquals(401, challenge.getStatusCode(), challenge.toString());
      Request star = wildcard(uac, oldCseq);
      star.addHeader(dev.mileage.fixtures.sip.Digest.answer(uac.headers(),
          (javax.sip.header.WWWAuthenticateHeader) challenge.getHeader(javax.sip.header.WWWAuthenticateHeader.NAME), false,
          uac.user(), SipTestBed.PASSWORD, Request.REGISTER, star.getRequestURI(), 1, "0a0b0c0d"));
      Response refused = uac.sendOnce(star, WAIT);
      assertNotNull(refused, "no answer to the wildcard REGISTER");
      assertEquals(500, refused.getStatusCode(), refused.toString());
      assertEquals(List.of("sip:old@192.0.2.1:5060", "sip:other@192.0.2.8"), List.copyOf(bindings(uac).keySet()));
    }
  }

  /** "*" with Expires 0 on the old binding's Call-ID with CSeq {@code cseq}, without credentials. */
  static Request wildcard(TestUac uac, long cseq) throws Exception {
    SipURI registrar = uac.uri(null);
    registrar.setUser(null);
    Request r = uac.newRequest(Request.REGISTER, registrar, uac.user(), OLD_CALL_ID);
    r.removeHeader(ContactHeader.NAME);
    r.addHeader(uac.headers().createContactHeader());
    r.addHeader(uac.headers().createExpiresHeader(0));
    ((javax.sip.header.CSeqHeader) r.getHeader(javax.sip.header.CSeqHeader.NAME)).setSeqNumber(cseq);
    return r;
  }

  @Test
  void aWildcardAmongOtherContactsGets400AndChangesNothing() throws Exception {
    try (TestUac uac = phoneWithOldBinding("reg4")) {
      ContactHeader star = uac.headers().createContactHeader();
      Response r = register(uac, UUID.randomUUID().toString(), List.of(contact(uac, "sip:fine@192.0.2.7", 0), star));
      assertEquals(400, r.getStatusCode(), r.toString());
      assertOnlyTheOldBinding(uac);
    }
  }
}
