package dev.mileage.gateway.sip;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Registered contacts per SIP username (RFC 3261 10), in memory and bounded. Every SIP shard uses
 * it: synchronized. A browser's binding is tied to the WebSocket it registered over ({@link Flow}): its
 * {@code .invalid} contact is reachable over that connection only (RFC 7118 5, the flow of RFC 5626), so the
 * binding goes when the connection closes ({@link #dropFlow}).
 */
final class Registrar {
  static final int USERS_MAX = 200_000;
  static final int BINDINGS_PER_USER_MAX = 5;
  static final int EXPIRES_DEFAULT_SECONDS = 3600;
  static final int EXPIRES_MAX_SECONDS = 7200;
  static final int EXPIRES_MIN_SECONDS = 60;

  /** {@code flow}: the connection the binding lives on (browsers), or null (phones: any route reaches them). */
  record Binding(String contact, String callId, long cseq, Instant expiresAt, String flow) {
    Binding {
      Objects.requireNonNull(contact, "contact");
      Objects.requireNonNull(callId, "callId");
      Objects.requireNonNull(expiresAt, "expiresAt");
    }
  }

  enum Result { OK, TOO_MANY_BINDINGS, FULL, OUT_OF_ORDER }

  private final Map<String, List<Binding>> bindings = new HashMap<>();
  /**
   * Users with a binding on each flow, so a closed connection costs its own users, not a scan of all. An entry
   * may outlive its bindings (removed or expired); it goes when its flow closes. Bounded by the open
   * connections (jain-sip's MAX_CONNECTIONS) and {@link #USERS_MAX}.
   */
  private final Map<String, java.util.Set<String>> usersByFlow = new HashMap<>();

  /** One Contact of a REGISTER: bind {@code contact} for {@code expiresSeconds}, or remove it ({@code 0}). */
  record Change(String contact, int expiresSeconds) {
    Change {
      Objects.requireNonNull(contact, "contact");
      if (expiresSeconds < 0) throw new IllegalArgumentException("expiresSeconds < 0: " + expiresSeconds);
    }
  }

  /** Adds, refreshes ({@code expiresSeconds > 0}) or removes ({@code 0}) one contact of {@code user}. */
  synchronized Result bind(String user, String contact, String callId, long cseq, int expiresSeconds, Instant now) {
    return bind(user, contact, callId, cseq, expiresSeconds, now, null);
  }

  /** The same for a contact reachable only over the connection {@code flow} (null: any). */
  synchronized Result bind(String user, String contact, String callId, long cseq, int expiresSeconds, Instant now,
                           String flow) {
    return apply(user, List.of(new Change(contact, expiresSeconds)), callId, cseq, now, flow);
  }

  /**
   * The Contacts of one REGISTER of {@code user}, in order, all or none (RFC 3261 10.3: the registrar processes
   * the request atomically): they are worked out on a copy of the user's bindings, and the copy replaces them
   * only when every one went through (step 7, Call-ID and CSeq, taking the earlier Contacts of the same request
   * into account), the user stays within {@link #BINDINGS_PER_USER_MAX}, and a new user finds room. Otherwise
   * the first refusal is answered and nothing changed.
   */
  synchronized Result apply(String user, List<Change> changes, String callId, long cseq, Instant now, String flow) {
    Objects.requireNonNull(callId, "callId");
    purge(user, now);
    List<Binding> current = bindings.get(user);
    List<Binding> next = current == null ? new ArrayList<>() : new ArrayList<>(current);
    boolean bound = false;
    for (Change c : changes) {
      int at = indexOf(next, c.contact());
      if (at >= 0) {
        Binding b = next.get(at);
        // step 7: same Call-ID with a lower or equal CSeq is out of order, and the whole request fails
        if (b.callId().equals(callId) && cseq <= b.cseq()) return Result.OUT_OF_ORDER;
        if (c.expiresSeconds() == 0) next.remove(at);
        else next.set(at, new Binding(c.contact(), callId, cseq, now.plusSeconds(c.expiresSeconds()), flow));
      } else if (c.expiresSeconds() != 0) {
        next.add(new Binding(c.contact(), callId, cseq, now.plusSeconds(c.expiresSeconds()), flow));
      }
      bound |= c.expiresSeconds() != 0;
    }
    if (next.size() > BINDINGS_PER_USER_MAX) return Result.TOO_MANY_BINDINGS;
    if (next.isEmpty()) {
      bindings.remove(user);
      return Result.OK;
    }
    if (current == null && bindings.size() >= USERS_MAX) return Result.FULL;
    bindings.put(user, next);
    if (bound) onFlow(flow, user);
    return Result.OK;
  }

  private static int indexOf(List<Binding> list, String contact) {
    for (int i = 0; i < list.size(); i++) {
      if (list.get(i).contact().equals(contact)) return i;
    }
    return -1;
  }

  private void onFlow(String flow, String user) {
    if (flow != null) usersByFlow.computeIfAbsent(flow, f -> new java.util.HashSet<>()).add(user);
  }

  /** Removes every binding that lives on {@code flow}, a connection that closed; returns how many. */
  synchronized int dropFlow(String flow) {
    java.util.Set<String> users = usersByFlow.remove(flow);
    if (users == null) return 0;
    int dropped = 0;
    for (String user : users) {
      List<Binding> list = bindings.get(user);
      if (list == null) continue;
      int before = list.size();
      list.removeIf(b -> flow.equals(b.flow()));
      dropped += before - list.size();
      if (list.isEmpty()) bindings.remove(user);
    }
    return dropped;
  }

  /**
   * "*" with Expires 0 (RFC 3261 10.3 step 6): every binding of {@code user} goes, or none does when one of them
   * has the request's Call-ID with a CSeq not lower than the request's (the update is aborted: out of order).
   */
  synchronized Result removeAll(String user, String callId, long cseq, Instant now) {
    purge(user, now);
    List<Binding> list = bindings.get(user);
    if (list == null) return Result.OK;
    for (Binding b : list) {
      if (b.callId().equals(callId) && cseq <= b.cseq()) return Result.OUT_OF_ORDER;
    }
    bindings.remove(user);
    return Result.OK;
  }

  synchronized List<Binding> bindingsOf(String user, Instant now) {
    purge(user, now);
    List<Binding> list = bindings.get(user);
    return list == null ? List.of() : List.copyOf(list);
  }

  synchronized int users() {
    return bindings.size();
  }

  private void purge(String user, Instant now) {
    List<Binding> list = bindings.get(user);
    if (list == null) return;
    list.removeIf(b -> !b.expiresAt().isAfter(now));
    if (list.isEmpty()) bindings.remove(user);
  }
}
