package dev.mileage.bench.calls;

import java.util.Objects;

/**
 * A calling subscriber: SIP digest credentials and, once provisioned, the gateway's id for the member.
 *
 * @param memberId the gateway's member id (whose ledger account is debited); empty when calling a bare trunk
 */
record Subscriber(String username, String password, String memberId) {
  Subscriber {
    Objects.requireNonNull(username, "username");
    Objects.requireNonNull(password, "password");
    Objects.requireNonNull(memberId, "memberId");
    if (!username.matches("[A-Za-z0-9._-]{1,64}")) throw new IllegalArgumentException("bad SIP username: " + username);
  }

  @Override
  public String toString() {
    return "Subscriber[" + username + ", member " + memberId + "]"; // never the password
  }
}
