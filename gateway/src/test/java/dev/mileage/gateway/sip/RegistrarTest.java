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
  void aRequestsContactsApplyAllOrNone() {
    Registrar r = new Registrar();
    assertEquals(Registrar.Result.OK, r.bind("alice", "sip:a@1", "c1", 1, 600, T0));
    List<Registrar.Binding> before = r.bindingsOf("alice", T0);
    // over the bound on the last one: the refresh and the first additions before it are not kept
    List<Registrar.Change> tooMany = new java.util.ArrayList<>(List.of(new Registrar.Change("sip:a@1", 1200)));
    for (int i = 0; i < Registrar.BINDINGS_PER_USER_MAX; i++) tooMany.add(new Registrar.Change("sip:n@" + i, 600));
    assertEquals(Registrar.Result.TOO_MANY_BINDINGS, r.apply("alice", tooMany, "c2", 1, T0, null));
    assertEquals(before, r.bindingsOf("alice", T0));
    // out of order on the last one (same Call-ID, CSeq not higher): the removal before it is not kept
    assertEquals(Registrar.Result.OUT_OF_ORDER, r.apply("alice",
        List.of(new Registrar.Change("sip:a@1", 0), new Registrar.Change("sip:b@1", 600), new Registrar.Change("sip:b@1", 600)),
        "c3", 1, T0, "flow-1"));
    assertEquals(before, r.bindingsOf("alice", T0));
    assertEquals(0, r.dropFlow("flow-1"), "a refused request leaves no flow behind");
    // a request that goes through applies its Contacts in order
    assertEquals(Registrar.Result.OK, r.apply("alice", List.of(new Registrar.Change("sip:a@1", 0),
        new Registrar.Change("sip:b@1", 600), new Registrar.Change("sip:c@1", 600)), "c4", 1, T0, null));
    assertEquals(List.of("sip:b@1", "sip:c@1"), r.bindingsOf("alice", T0).stream().map(Registrar.Binding::contact).toList());
  }

  @Test
  void aWildcardRemovesEveryBindingOrNone() {
    Registrar r = new Registrar();
    assertEquals(Registrar.Result.OK, r.bind("alice", "sip:a@1", "c1", 5, 600, T0));
    assertEquals(Registrar.Result.OK, r.bind("alice", "sip:b@1", "c2", 1, 600, T0));
    // step 6: sip:a@1 has this Call-ID with a CSeq not lower: the whole removal is aborted
    assertEquals(Registrar.Result.OUT_OF_ORDER, r.removeAll("alice", "c1", 5, T0));
    assertEquals(2, r.bindingsOf("alice", T0).size());
    assertEquals(Registrar.Result.OK, r.removeAll("alice", "c1", 6, T0));
    assertEquals(0, r.bindingsOf("alice", T0).size());
    assertEquals(Registrar.Result.OK, r.removeAll("nobody", "c9", 1, T0));
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
