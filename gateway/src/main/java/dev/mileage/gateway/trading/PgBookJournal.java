package dev.mileage.gateway.trading;

import dev.mileage.points.trading.BookJournal;
import dev.mileage.points.trading.OrderSnapshot;
import dev.mileage.points.trading.OrderStatus;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

/** The desk's open orders in {@code trading.book_order}: open ones upserted, closed ones deleted, in one transaction. */
final class PgBookJournal implements BookJournal {
  /** Open orders loaded at start at most (the desk's own bounds keep the real number far lower). */
  static final int LOAD_MAX = 1_000_000;

  private final Pool pool;

  PgBookJournal(Pool pool) {
    this.pool = pool;
  }

  @Override
  public CompletionStage<Void> save(List<OrderSnapshot> orders) {
    List<Tuple> upserts = new ArrayList<>();
    List<Tuple> deletes = new ArrayList<>();
    for (OrderSnapshot o : orders) {
      if (!o.status().open()) {
        deletes.add(Tuple.of(o.id()));
        continue;
      }
      upserts.add(Tuple.from(new Object[] {o.id(), o.owner(), o.sellType(), o.sellAmount(), o.buyType(), o.buyAmount(), o.seq(),
          o.placedAt().atOffset(ZoneOffset.UTC), o.expiresAt().atOffset(ZoneOffset.UTC), o.sellAccount(), o.buyAccount(),
          o.remaining(), o.received(), o.holdGeneration()}));
    }
    return pool.withTransaction(sql -> {
      Future<?> up = upserts.isEmpty() ? Future.succeededFuture() : sql.preparedQuery("INSERT INTO trading.book_order"
          + " (id, owner, sell_type, sell_amount, buy_type, buy_amount, seq, placed_at, expires_at, sell_account, buy_account,"
          + " remaining, received, hold_generation) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
          + " ON CONFLICT (id) DO UPDATE SET remaining = EXCLUDED.remaining, received = EXCLUDED.received,"
          + " hold_generation = EXCLUDED.hold_generation").executeBatch(upserts);
      return up.compose(x -> deletes.isEmpty() ? Future.succeededFuture()
          : sql.preparedQuery("DELETE FROM trading.book_order WHERE id = $1").executeBatch(deletes));
    }).<Void>mapEmpty().toCompletionStage();
  }

  Future<List<OrderSnapshot>> load() {
    return pool.query("SELECT * FROM trading.book_order ORDER BY seq LIMIT " + LOAD_MAX).execute().map(rows -> {
      List<OrderSnapshot> out = new ArrayList<>();
      for (Row r : rows) {
        out.add(new OrderSnapshot(r.getUUID("id"), r.getString("owner"), r.getInteger("sell_type"), r.getLong("sell_amount"),
            r.getInteger("buy_type"), r.getLong("buy_amount"), r.getLong("seq"), r.getOffsetDateTime("placed_at").toInstant(),
            r.getOffsetDateTime("expires_at").toInstant(), r.getLong("sell_account"), r.getLong("buy_account"),
            r.getLong("remaining"), r.getLong("received"), r.getInteger("hold_generation"), OrderStatus.OPEN));
      }
      return out;
    });
  }
}
