package dev.mileage.gateway.sip;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;

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

  @Test
  void aClosedFlowTakesItsBindingsAndNoOthers() {
    Registrar r = new Registrar();
    String flow = "5080/127.0.0.1:40001";
    String otherFlow = "5080/127.0.0.1:40002";
    assertEquals(Registrar.Result.OK, r.bind("carol", "sip:x@a.invalid;transport=ws", "c1", 1, 600, T0, flow));
    assertEquals(Registrar.Result.OK, r.bind("carol", "sip:y@b.invalid;transport=ws", "c2", 1, 600, T0, otherFlow));
    assertEquals(Registrar.Result.OK, r.bind("carol", "sip:carol@192.0.2.1", "c3", 1, 600, T0), "a phone: no flow");
    assertEquals(Registrar.Result.OK, r.bind("dave", "sip:z@c.invalid;transport=ws", "c4", 1, 600, T0, flow));
    // a browser that re-registered the same contact over a new connection lives on the new one
    assertEquals(Registrar.Result.OK, r.bind("erin", "sip:e@e.invalid;transport=ws", "c5", 1, 600, T0, flow));
    assertEquals(Registrar.Result.OK, r.bind("erin", "sip:e@e.invalid;transport=ws", "c5", 2, 600, T0, otherFlow));

    assertEquals(2, r.dropFlow(flow), "carol's and dave's bindings on that connection");
    assertEquals(List.of("sip:y@b.invalid;transport=ws", "sip:carol@192.0.2.1"),
        r.bindingsOf("carol", T0).stream().map(Registrar.Binding::contact).toList());
    assertEquals(0, r.bindingsOf("dave", T0).size());
    assertEquals(0, r.users() - 2, "dave is gone, carol and erin stay");
    assertEquals(1, r.bindingsOf("erin", T0).size());
    assertEquals(0, r.dropFlow(flow), "a flow closes once");
    assertEquals(2, r.dropFlow(otherFlow));
    assertEquals(1, r.users());
  }
}
