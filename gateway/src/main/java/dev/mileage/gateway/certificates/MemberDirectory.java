package dev.mileage.gateway.certificates;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

/**
 * Read-only view of the members the certificates need: a display name and the phone number for SMS and
 * for matching a gift's recipient. Reads the members feature's table (never writes it); personal data is
 * never logged.
 */
final class MemberDirectory {
  record Member(long id, String name, String phone, boolean phoneVerified) {
    @Override
    public String toString() {
      return "Member[" + id + ", personal data withheld]";
    }
  }

  private final Pool pool;

  MemberDirectory(Pool pool) {
    this.pool = pool;
  }

  /** The member, or null if there is none. */
  Future<Member> find(long memberId) {
    return pool.preparedQuery("SELECT id, name, phone, phone_verified_at IS NOT NULL AS verified"
            + " FROM members.member WHERE id = $1").execute(Tuple.of(memberId))
        .map(rows -> {
          if (rows.size() == 0) return null;
          Row r = rows.iterator().next();
          return new Member(r.getLong("id"), r.getString("name"), r.getString("phone"), r.getBoolean("verified"));
        });
  }
}
