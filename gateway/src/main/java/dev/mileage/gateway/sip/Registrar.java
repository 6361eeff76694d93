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

  /** Adds, refreshes ({@code expiresSeconds > 0}) or removes ({@code 0}) one contact of {@code user}. */
  synchronized Result bind(String user, String contact, String callId, long cseq, int expiresSeconds, Instant now) {
    return bind(user, contact, callId, cseq, expiresSeconds, now, null);
  }

  /** The same for a contact reachable only over the connection {@code flow} (null: any). */
  synchronized Result bind(String user, String contact, String callId, long cseq, int expiresSeconds, Instant now,
                           String flow) {
    purge(user, now);
    List<Binding> list = bindings.get(user);
    if (list == null) {
      if (expiresSeconds == 0) return Result.OK;
      if (bindings.size() >= USERS_MAX) return Result.FULL;
      list = new ArrayList<>();
      bindings.put(user, list);
    }
    for (int i = 0; i < list.size(); i++) {
      Binding b = list.get(i);
      if (b.contact().equals(contact)) {
        // RFC 3261 10.3 step 7: same Call-ID with a lower or equal CSeq is out of order
        if (b.callId().equals(callId) && cseq <= b.cseq()) return Result.OUT_OF_ORDER;
        if (expiresSeconds == 0) list.remove(i);
        else list.set(i, new Binding(contact, callId, cseq, now.plusSeconds(expiresSeconds), flow));
        if (list.isEmpty()) bindings.remove(user);
        if (expiresSeconds != 0) onFlow(flow, user);
        return Result.OK;
      }
    }
    if (expiresSeconds == 0) return Result.OK;
    if (list.size() >= BINDINGS_PER_USER_MAX) return Result.TOO_MANY_BINDINGS;
    list.add(new Binding(contact, callId, cseq, now.plusSeconds(expiresSeconds), flow));
    onFlow(flow, user);
    return Result.OK;
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

  synchronized void removeAll(String user) {
    bindings.remove(user);
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
