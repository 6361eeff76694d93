package dev.mileage.gateway.mall;

import dev.mileage.points.ledger.Transfer;
import dev.mileage.points.ledger.TransferCodes;
import dev.mileage.points.ledger.TransferResult;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Auctions payable in the vendor's tokens. A bid is a ledger reservation from the bidder's tokens to
 * {@code vendor:V:taken}, made before the bid is recorded; the auction row, locked, then decides it: the new
 * highest bid (the previous highest bid's reservation is released) or refused (its own reservation is
 * released). Closing is decided by the injected clock: due auctions are closed by a sweeper (or the vendor),
 * the winning reservation is posted under one transfer id (so it settles once however often closing runs),
 * and every other reservation of the auction is released: none is left behind.
 */
final class Auctions {
  static final int BIDS_SHOWN_MAX = 20;
  static final int SWEEP_BATCH_MAX = 100;

  private final Journal journal;
  private final MallLedger ledger;
  private final Clock clock;

  Auctions(Journal journal, MallLedger ledger, Clock clock) {
    this.journal = journal;
    this.ledger = ledger;
    this.clock = clock;
  }

  private io.vertx.sqlclient.Pool pool() {
    return journal.pool();
  }

  /**
   * Opens an auction paid in the tokens {@code v} is seen through: the vendor's AUCTION tokens, or (STANDARD)
   * its own token.
   */
  Future<Outcome.Result> open(Vendor v, String title, long startingBid, Duration length, String requestKey) {
    OffsetDateTime closes = journal.now().plus(length);
    String paidIn = v.auctionOnly() ? Vendor.AUCTION : Vendor.STANDARD;
    return pool().preparedQuery("SELECT count(*) FROM mall.auction WHERE vendor_id = $1 AND status = 'OPEN'")
        .execute(Tuple.of(v.id())).compose(c -> {
          if (c.iterator().next().getLong(0) >= MallOptions.OPEN_AUCTIONS_PER_VENDOR_MAX) {
            return Future.succeededFuture(Outcome.TOO_MANY.error());
          }
          return pool().preparedQuery("INSERT INTO mall.auction (vendor_id, request_key, title, starting_bid, closes_at, status,"
                  + " created_at, token_kind) VALUES ($1, $2, $3, $4, $5, 'OPEN', $6, $7) ON CONFLICT (request_key) DO NOTHING")
              .execute(Tuple.of(v.id(), "vendor:" + v.id() + ":auction:" + requestKey, title, startingBid, closes, journal.now(),
                  paidIn))
              .compose(x -> pool().preparedQuery("SELECT * FROM mall.auction WHERE request_key = $1")
                  .execute(Tuple.of("vendor:" + v.id() + ":auction:" + requestKey)))
              .compose(rows -> {
                Row a = rows.iterator().next();
                if (!a.getString("title").equals(title) || a.getLong("starting_bid") != startingBid
                    || !a.getString("token_kind").equals(paidIn)) {
                  return Future.succeededFuture(Outcome.REQUEST_KEY_REUSED.error());
                }
                return view(a.getLong("id"), null).map(Outcome.CREATED::with);
              });
        });
  }

  /** The auction with its highest bid and latest bids (amounts and times; a member sees which are theirs). */
  Future<JsonObject> view(long auctionId, Long memberId) {
    return pool().preparedQuery("SELECT a.*, v.name AS vendor_name, v.token_code, h.amount AS high_amount"
            + " FROM mall.auction a JOIN mall.vendor v ON v.id = a.vendor_id LEFT JOIN mall.bid h ON h.id = a.high_bid_id"
            + " WHERE a.id = $1").execute(Tuple.of(auctionId)).compose(rows -> {
          if (rows.size() == 0) return Future.succeededFuture((JsonObject) null);
          Row a = rows.iterator().next();
          JsonObject out = auctionJson(a);
          return pool().preparedQuery("SELECT id, member_id, amount, status, placed_at FROM mall.bid WHERE auction_id = $1"
                  + " AND status <> 'REFUSED' ORDER BY id DESC LIMIT " + BIDS_SHOWN_MAX).execute(Tuple.of(auctionId))
              .map(bids -> {
                JsonArray list = new JsonArray();
                for (Row b : bids) {
                  list.add(new JsonObject().put("amount", b.getLong("amount")).put("status", b.getString("status"))
                      .put("at", b.getOffsetDateTime("placed_at").toInstant().toString())
                      .put("mine", memberId != null && memberId.equals(b.getLong("member_id"))));
                }
                return out.put("bids", list);
              });
        });
  }

  private static JsonObject auctionJson(Row a) {
    return new JsonObject().put("id", a.getLong("id")).put("vendorId", a.getLong("vendor_id"))
        .put("vendorName", a.getString("vendor_name"))
        .put("token", "TOKEN_" + a.getString("token_code") + Vendor.codeSuffix(a.getString("token_kind")))
        .put("tokenKind", a.getString("token_kind"))
        .put("title", a.getString("title")).put("startingBid", a.getLong("starting_bid"))
        .put("closesAt", a.getOffsetDateTime("closes_at").toInstant().toString()).put("status", a.getString("status"))
        .put("highBid", a.getLong("high_amount"));
  }

  Future<JsonArray> list() {
    return pool().query("SELECT a.*, v.name AS vendor_name, v.token_code, h.amount AS high_amount FROM mall.auction a"
            + " JOIN mall.vendor v ON v.id = a.vendor_id LEFT JOIN mall.bid h ON h.id = a.high_bid_id"
            + " ORDER BY (a.status = 'OPEN') DESC, a.closes_at LIMIT " + MallOptions.HISTORY_ROWS_MAX).execute()
        .map(rows -> {
          JsonArray out = new JsonArray();
          for (Row a : rows) out.add(auctionJson(a));
          return out;
        });
  }

  private enum Decision { HIGHEST, TOO_LOW, CLOSED }

  Future<Outcome.Result> bid(long memberId, long auctionId, long amount, String bidKey) {
    UUID holdId = Transfer.idOf("mall:auction:" + auctionId + ":bid:" + memberId + ":" + bidKey);
    // the bid is held in the auction's payment token: the vendor's AUCTION token, or its own
    return pool().preparedQuery("SELECT a.*, COALESCE(t.point_type, v.point_type) AS point_type, h.amount AS high_amount"
            + " FROM mall.auction a JOIN mall.vendor v ON v.id = a.vendor_id LEFT JOIN mall.token t ON t.vendor_id = a.vendor_id"
            + " AND t.kind = a.token_kind LEFT JOIN mall.bid h ON h.id = a.high_bid_id WHERE a.id = $1")
        .execute(Tuple.of(auctionId)).compose(rows -> {
          if (rows.size() == 0) return Future.succeededFuture(Outcome.NO_SUCH_AUCTION.error());
          Row a = rows.iterator().next();
          // one row: this bid key's earlier bid (if any) and how many bids the member has placed here
          return pool().preparedQuery("SELECT b.status, b.amount, (SELECT count(*) FROM mall.bid WHERE auction_id = $1"
                  + " AND member_id = $2) AS placed FROM (SELECT 1) one LEFT JOIN mall.bid b ON b.auction_id = $1"
                  + " AND b.member_id = $2 AND b.bid_key = $3")
              .execute(Tuple.of(auctionId, memberId, bidKey)).compose(prior -> {
                Row first = prior.iterator().next();
                if (first.getString("status") != null) return replayed(first, amount, auctionId, memberId);
                if (first.getLong("placed") >= MallOptions.BIDS_PER_MEMBER_PER_AUCTION_MAX) {
                  return Future.succeededFuture(Outcome.TOO_MANY.error());
                }
                if (!a.getString("status").equals("OPEN") || !clock.instant().isBefore(a.getOffsetDateTime("closes_at").toInstant())) {
                  return Future.succeededFuture(Outcome.AUCTION_CLOSED.error());
                }
                Long high = a.getLong("high_amount");
                if (amount < a.getLong("starting_bid") || (high != null && amount <= high)) {
                  return Future.succeededFuture(Outcome.BID_TOO_LOW.error());
                }
                return hold(memberId, a, amount, holdId).compose(held -> {
                  if (held == TransferResult.EXCEEDS_CREDITS) return Future.succeededFuture(Outcome.INSUFFICIENT_TOKENS.error());
                  if (!held.applied()) return Future.failedFuture(new IllegalStateException("bid hold answered " + held));
                  return decide(auctionId, memberId, bidKey, amount, holdId);
                });
              });
        });
  }

  private Future<TransferResult> hold(long memberId, Row a, long amount, UUID holdId) {
    int token = a.getInteger("point_type");
    long seconds = Duration.between(clock.instant(), a.getOffsetDateTime("closes_at").toInstant().plus(MallOptions.BID_HOLD_MARGIN))
        .toSeconds();
    return Future.all(ledger.holding(MallLedger.member(memberId), token), ledger.holding(MallLedger.taken(a.getLong("vendor_id")), token))
        .compose(acc -> ledger.submit(Transfer.reserve(holdId, acc.resultAt(0), acc.resultAt(1), amount,
            (int) Math.max(1, Math.min(Integer.MAX_VALUE, seconds)), TransferCodes.TOKEN_BID_HOLD,
            "bid on auction " + a.getLong("id"))));
  }

  /** Under the auction's row lock: the bid becomes the highest (releasing the previous one) or is refused. */
  private Future<Outcome.Result> decide(long auctionId, long memberId, String bidKey, long amount, UUID holdId) {
    record Decided(Decision decision, UUID release) { }
    // lock the auction row first, then read its highest bid in a later statement: a join in the locking
    // statement would be re-checked against the old bid row after waiting for the lock (PostgreSQL's
    // EvalPlanQual), and a bid that had just been outbid would look like the highest
    return pool().withTransaction(c -> c.preparedQuery("SELECT id FROM mall.auction WHERE id = $1 FOR UPDATE")
        .execute(Tuple.of(auctionId)).compose(locked -> c.preparedQuery("SELECT a.status, a.closes_at, a.starting_bid,"
            + " a.high_bid_id, h.amount AS high_amount, h.pending_id AS high_pending FROM mall.auction a"
            + " LEFT JOIN mall.bid h ON h.id = a.high_bid_id WHERE a.id = $1").execute(Tuple.of(auctionId))).compose(rows -> {
          Row a = rows.iterator().next();
          Long high = a.getLong("high_amount");
          Decision d = !a.getString("status").equals("OPEN") || !clock.instant().isBefore(a.getOffsetDateTime("closes_at").toInstant())
              ? Decision.CLOSED : amount < a.getLong("starting_bid") || (high != null && amount <= high) ? Decision.TOO_LOW
              : Decision.HIGHEST;
          return c.preparedQuery("INSERT INTO mall.bid (auction_id, member_id, bid_key, amount, pending_id, status, placed_at)"
                  + " VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
              .execute(Tuple.of(auctionId, memberId, bidKey, amount, holdId, d == Decision.HIGHEST ? "HELD" : "REFUSED", journal.now()))
              .compose(ins -> {
                if (d != Decision.HIGHEST) return Future.succeededFuture(new Decided(d, holdId));
                long bidId = ins.iterator().next().getLong(0);
                Long previous = a.getLong("high_bid_id");
                return c.preparedQuery("UPDATE mall.auction SET high_bid_id = $2 WHERE id = $1").execute(Tuple.of(auctionId, bidId))
                    .compose(u -> previous == null ? Future.succeededFuture()
                        : c.preparedQuery("UPDATE mall.bid SET status = 'RELEASED' WHERE id = $1").execute(Tuple.of(previous)))
                    .map(u -> new Decided(d, previous == null ? null : a.getUUID("high_pending")));
              });
        })).compose(decided -> release(decided.release()).compose(x -> switch (decided.decision()) {
          case HIGHEST -> view(auctionId, memberId).map(v -> Outcome.DONE.with(new JsonObject().put("result", "HIGHEST").put("auction", v)));
          case TOO_LOW -> Future.succeededFuture(Outcome.BID_TOO_LOW.error());
          case CLOSED -> Future.succeededFuture(Outcome.AUCTION_CLOSED.error());
        }));
  }

  private Future<Outcome.Result> replayed(Row bid, long amount, long auctionId, long memberId) {
    if (bid.getLong("amount") != amount) return Future.succeededFuture(Outcome.REQUEST_KEY_REUSED.error());
    if (bid.getString("status").equals("REFUSED")) return Future.succeededFuture(Outcome.BID_TOO_LOW.error());
    return view(auctionId, memberId).map(v -> Outcome.DONE.with(new JsonObject()
        .put("result", bid.getString("status").equals("HELD") ? "HIGHEST" : bid.getString("status")).put("auction", v)));
  }

  /** Releases a bid's reservation; one already released, expired or posted needs nothing more. */
  private Future<Void> release(UUID holdId) {
    if (holdId == null) return Future.succeededFuture();
    return ledger.submit(Transfer.voidPending(Transfer.idOf("mall:bid-release:" + holdId), holdId, TransferCodes.TOKEN_BID_RELEASE,
        "bid released")).compose(r -> switch (r) {
          case OK, EXISTS, PENDING_TRANSFER_ALREADY_VOIDED, PENDING_TRANSFER_EXPIRED -> Future.succeededFuture();
          default -> Future.failedFuture(new IllegalStateException("bid release answered " + r));
        });
  }

  /**
   * Closes an auction that is due on the clock: the highest bid's reservation is posted (the winner pays),
   * every other reservation released. Safe to run again and concurrently: the same transfer ids answer EXISTS.
   */
  Future<Outcome.Result> close(long auctionId, Long vendorId) {
    return pool().withTransaction(c -> c.preparedQuery("SELECT vendor_id, status, closes_at FROM mall.auction WHERE id = $1 FOR UPDATE")
        .execute(Tuple.of(auctionId)).compose(rows -> {
          if (rows.size() == 0 || (vendorId != null && rows.iterator().next().getLong("vendor_id") != vendorId.longValue())) {
            return Future.succeededFuture(Outcome.NO_SUCH_AUCTION);
          }
          Row a = rows.iterator().next();
          String status = a.getString("status");
          if (status.equals("OPEN") && clock.instant().isBefore(a.getOffsetDateTime("closes_at").toInstant())) {
            return Future.succeededFuture(Outcome.NOT_DUE);
          }
          if (!status.equals("OPEN")) return Future.succeededFuture(Outcome.DONE);
          return c.preparedQuery("UPDATE mall.auction SET status = 'CLOSING' WHERE id = $1").execute(Tuple.of(auctionId))
              .map(Outcome.DONE);
        })).compose(o -> o != Outcome.DONE ? Future.succeededFuture(o.error()) : settle(auctionId)
            .compose(x -> view(auctionId, null)).map(Outcome.DONE::with));
  }

  private Future<Void> settle(long auctionId) {
    return pool().preparedQuery("SELECT a.status, a.high_bid_id, h.amount, h.pending_id FROM mall.auction a"
            + " LEFT JOIN mall.bid h ON h.id = a.high_bid_id WHERE a.id = $1").execute(Tuple.of(auctionId)).compose(rows -> {
          Row a = rows.iterator().next();
          if (!a.getString("status").equals("CLOSING")) return Future.succeededFuture(); // settled before
          Long winner = a.getLong("high_bid_id");
          // the winner pays; a hold that lapsed (closing ran more than BID_HOLD_MARGIN late) leaves the lot unsold
          Future<Boolean> posted = winner == null ? Future.succeededFuture(false)
              : ledger.submit(Transfer.post(Transfer.idOf("mall:auction:" + auctionId + ":settle"), a.getUUID("pending_id"),
                  a.getLong("amount"), TransferCodes.TOKEN_AUCTION_SETTLE, "won auction " + auctionId)).compose(r -> {
                    if (r.applied() || r == TransferResult.PENDING_TRANSFER_ALREADY_POSTED) return Future.succeededFuture(true);
                    if (r == TransferResult.PENDING_TRANSFER_EXPIRED) return Future.succeededFuture(false);
                    return Future.failedFuture(new IllegalStateException("auction settlement answered " + r));
                  });
          return posted.compose(sold -> pool().preparedQuery("SELECT id, pending_id FROM mall.bid WHERE auction_id = $1"
                  + " AND status IN ('HELD', 'REFUSED') AND id IS DISTINCT FROM $2").execute(Tuple.of(auctionId, winner))
              .compose(others -> {
                List<Future<Void>> releases = new ArrayList<>();
                List<Long> ids = new ArrayList<>();
                for (Row b : others) {
                  releases.add(release(b.getUUID("pending_id")));
                  ids.add(b.getLong("id"));
                }
                return Future.all(releases).compose(x -> pool().preparedQuery("UPDATE mall.bid SET status = CASE WHEN status = 'HELD'"
                    + " THEN 'RELEASED' ELSE status END WHERE id = ANY($1)").execute(Tuple.of(ids.toArray(new Long[0]))));
              })
              .compose(x -> pool().preparedQuery("UPDATE mall.bid SET status = $2 WHERE id = $1")
                  .execute(Tuple.of(winner, sold ? "WON" : "RELEASED")))
              .compose(x -> pool().preparedQuery("UPDATE mall.auction SET status = $2, settled_at = $3 WHERE id = $1"
                  + " AND status = 'CLOSING'").execute(Tuple.of(auctionId, sold ? "SETTLED" : "UNSOLD", journal.now()))))
              .mapEmpty();
        });
  }

  /** Closes every auction the clock says is due (a bounded batch per sweep). */
  Future<Integer> sweep() {
    return pool().preparedQuery("SELECT id FROM mall.auction WHERE status IN ('OPEN', 'CLOSING') AND closes_at <= $1"
            + " ORDER BY closes_at LIMIT " + SWEEP_BATCH_MAX).execute(Tuple.of(journal.now())).compose(rows -> {
          List<Future<Outcome.Result>> closing = new ArrayList<>();
          for (Row r : rows) closing.add(close(r.getLong(0), null));
          return Future.all(closing).map(x -> rows.size());
        });
  }
}
