package dev.mileage.gateway.sip;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RegistrarTest {
  static final Instant T0 = Instant.parse("2026-11-23T00:00:00Z");

  @Test
  void bindsRefreshesExpiresAndBounds() {
    Registrar r = new Registrar();
    assertEquals(Registrar.Result.OK, r.bind("alice", "sip:a@1", "c1", 1, 600, T0));
    assertEquals(Registrar.Result.OUT_OF_ORDER, r.bind("alice", "sip:a@1", "c1", 1, 600, T0), "same Call-ID, old CSeq");
    assertEquals(Registrar.Result.OK, r.bind("alice", "sip:a@1", "c1", 2, 600, T0));
    assertEquals(1, r.bindingsOf("alice", T0).size());
    assertEquals(0, r.bindingsOf("alice", T0.plusSeconds(601)).size(), "expired bindings are gone");
    for (int i = 0; i < Registrar.BINDINGS_PER_USER_MAX; i++) {
      assertEquals(Registrar.Result.OK, r.bind("bob", "sip:b@" + i, "c" + i, 1, 600, T0));
    }
    assertEquals(Registrar.Result.TOO_MANY_BINDINGS, r.bind("bob", "sip:b@x", "cx", 1, 600, T0));
    assertEquals(Registrar.Result.OK, r.bind("bob", "sip:b@0", "c0", 2, 0, T0), "Expires 0 removes");
    assertEquals(Registrar.BINDINGS_PER_USER_MAX - 1, r.bindingsOf("bob", T0).size());
  }
}
