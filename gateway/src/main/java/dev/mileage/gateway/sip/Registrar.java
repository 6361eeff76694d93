package dev.mileage.gateway.sip;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Registered contacts per SIP username (RFC 3261 10), in memory and bounded. Every SIP shard uses
 * it: synchronized.
 */
final class Registrar {
  static final int USERS_MAX = 200_000;
  static final int BINDINGS_PER_USER_MAX = 5;
  static final int EXPIRES_DEFAULT_SECONDS = 3600;
  static final int EXPIRES_MAX_SECONDS = 7200;
  static final int EXPIRES_MIN_SECONDS = 60;

  record Binding(String contact, String callId, long cseq, Instant expiresAt) {
    Binding {
      Objects.requireNonNull(contact, "contact");
      Objects.requireNonNull(callId, "callId");
      Objects.requireNonNull(expiresAt, "expiresAt");
    }
  }

  enum Result { OK, TOO_MANY_BINDINGS, FULL, OUT_OF_ORDER }

  private final Map<String, List<Binding>> bindings = new HashMap<>();

  /** Adds, refreshes ({@code expiresSeconds > 0}) or removes ({@code 0}) one contact of {@code user}. */
  synchronized Result bind(String user, String contact, String callId, long cseq, int expiresSeconds, Instant now) {
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
        else list.set(i, new Binding(contact, callId, cseq, now.plusSeconds(expiresSeconds)));
        if (list.isEmpty()) bindings.remove(user);
        return Result.OK;
      }
    }
    if (expiresSeconds == 0) return Result.OK;
    if (list.size() >= BINDINGS_PER_USER_MAX) return Result.TOO_MANY_BINDINGS;
    list.add(new Binding(contact, callId, cseq, now.plusSeconds(expiresSeconds)));
    return Result.OK;
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
