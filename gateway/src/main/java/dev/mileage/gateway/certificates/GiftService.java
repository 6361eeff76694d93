package dev.mileage.gateway.certificates;

import dev.mileage.gateway.members.GuessLimiter;
import dev.mileage.gateway.members.PasswordHasher;
import dev.mileage.gateway.members.SmsSender;
import dev.mileage.gateway.members.Web;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Logger;

/**
 * Gifting: the giver's certificates are set aside (GIFT_PENDING: nobody can redeem them meanwhile) and the
 * recipient gets an MMS (the giver's message, a claim link holding a 128-bit token, only its SHA-256 stored;
 * no codes or barcodes: see {@link CertificateMessages}). Accepting needs a member whose verified phone is the
 * recipient's number; the certificates move to them with new PINs (the giver's PINs stop working), shown on
 * screen, and their barcodes follow by MMS. Rejecting gives them back to the giver, who is told by SMS. The
 * value never moves in the ledger: a certificate's account stays the same, only its holder changes.
 */
final class GiftService {
  private static final Logger LOG = Logger.getLogger(GiftService.class.getName());

  enum Outcome { SENT, NOT_GIFTABLE, NO_SUCH_CONTENT, SELF_GIFT, ACCEPTED, REJECTED, NO_SUCH_GIFT, ALREADY_DECIDED, WRONG_RECIPIENT,
    /** The recipient's PIN-hash budget cannot pay for the gift's new PINs now (body: retryAfterSeconds). */
    TOO_MANY_HASHES }

  record Result(Outcome outcome, JsonObject body) { }

  /** A giver's resend of an offer, in precedence order. */
  enum Resent { NO_SUCH_GIFT, ALREADY_DECIDED, TOO_MANY, RESENT }

  /**
   * @param status the gift's status (ALREADY_DECIDED: ACCEPTED or REJECTED)
   * @param retryAfterSeconds TOO_MANY: when the oldest resend of the window leaves it
   * @param smsSent RESENT: whether the MMS or its SMS reached the SMSC
   */
  record ResendResult(Resent outcome, String status, long retryAfterSeconds, boolean smsSent, int resendsLeft) { }

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final SmsSender sms;
  private final MemberDirectory members;
  private final PasswordHasher pinHasher;
  private final Codes codes = new Codes();
  private final CertificateMessages messages;
  private final GuessLimiter memberHashes;

  GiftService(Vertx vertx, Pool pool, Clock clock, SmsSender sms, MemberDirectory members, PasswordHasher pinHasher,
              GuessLimiter memberHashes) {
    this.memberHashes = memberHashes;
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.sms = sms;
    this.members = members;
    this.pinHasher = pinHasher;
    this.messages = new CertificateMessages(vertx, pool, sms, members);
  }

  private OffsetDateTime now() {
    return OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC);
  }

  Future<Result> gift(long giverId, List<Long> certificateIds, String recipientPhone, String message, Long contentId,
                      String baseUrl) {
    if (certificateIds.isEmpty() || certificateIds.size() > CertificatesOptions.CERTIFICATES_PER_GIFT_MAX) {
      throw new IllegalArgumentException("choose 1 to " + CertificatesOptions.CERTIFICATES_PER_GIFT_MAX + " certificates");
    }
    if (certificateIds.stream().distinct().count() != certificateIds.size()) throw new IllegalArgumentException("a certificate is listed twice");
    if (recipientPhone == null || !recipientPhone.matches("\\+[1-9][0-9]{6,14}")) {
      throw new IllegalArgumentException("recipientPhone must be in E.164 form, e.g. +821012345678");
    }
    String token = codes.newToken();
    return members.find(giverId).compose(giver -> {
      if (giver == null) return Future.succeededFuture(new Result(Outcome.NOT_GIFTABLE, null));
      if (giver.phone().equals(recipientPhone)) return Future.succeededFuture(new Result(Outcome.SELF_GIFT, null));
      return pool.withTransaction(c -> {
        Future<Boolean> contentOk = contentId == null ? Future.succeededFuture(true)
            : c.preparedQuery("SELECT 1 FROM certificates.content WHERE id = $1").execute(Tuple.of(contentId)).map(r -> r.size() == 1);
        return contentOk.compose(okContent -> {
          if (!okContent) return Future.succeededFuture(new Result(Outcome.NO_SUCH_CONTENT, null));
          return c.preparedQuery("UPDATE certificates.certificate SET status = 'GIFT_PENDING' WHERE id = ANY($1)"
                  + " AND holder_member_id = $2 AND status = 'ACTIVE'"
                  + " AND purchase_id IN (SELECT id FROM certificates.purchase WHERE status = 'ISSUED') RETURNING id")
              .execute(Tuple.of(certificateIds.toArray(new Long[0]), giverId)).compose(updated -> {
                if (updated.size() != certificateIds.size()) {
                  // rolls the transaction back: none of them is set aside
                  return Future.failedFuture(new NotGiftable());
                }
                return c.preparedQuery("INSERT INTO certificates.gift (giver_member_id, recipient_phone, message, content_id,"
                        + " token_digest, status, created_at) VALUES ($1, $2, $3, $4, $5, 'SENT', $6) RETURNING id")
                    .execute(Tuple.of(giverId, recipientPhone, message, contentId, Buffer.buffer(Codes.digest(token)), now()))
                    .compose(g -> {
                      long giftId = g.iterator().next().getLong(0);
                      List<Tuple> links = new ArrayList<>();
                      for (Long id : certificateIds) links.add(Tuple.of(giftId, id));
                      return c.preparedQuery("INSERT INTO certificates.gift_certificate (gift_id, certificate_id) VALUES ($1, $2)")
                          .executeBatch(links).map(v -> new Result(Outcome.SENT, new JsonObject().put("giftId", giftId)));
                    });
              });
        });
      }).recover(e -> e instanceof NotGiftable ? Future.succeededFuture(new Result(Outcome.NOT_GIFTABLE, null)) : Future.failedFuture(e))
          .compose(r -> r.outcome() != Outcome.SENT ? Future.succeededFuture(r)
              : sendOffer(r.body().getLong("giftId"), giver.name(), recipientPhone, message, baseUrl + "/#/gifts/claim?t=" + token)
                  .map(sent -> new Result(Outcome.SENT, r.body().put("smsSent", sent).put("status", "SENT"))));
    });
  }

  private static final class NotGiftable extends RuntimeException {
    NotGiftable() {
      super(null, null, false, false);
    }
  }

  /**
   * The giver has the offer sent again, e.g. after the SMSC was down: a new claim link (a new token; the old link
   * stops working, so only the newest message is good), through the same MMS/SMS path as the first. Only the giver,
   * only while the gift is open, at most {@link CertificatesOptions#GIFT_RESENDS_PER_WINDOW_MAX} times per
   * {@link CertificatesOptions#GIFT_RESEND_WINDOW}; a resend counts even if the SMSC is still down. The gift's row
   * is locked while deciding, so concurrent resends are counted one by one.
   */
  Future<ResendResult> resend(long giverId, long giftId, String baseUrl) {
    String token = codes.newToken();
    var at = clock.instant();
    var windowStart = OffsetDateTime.ofInstant(at.minus(CertificatesOptions.GIFT_RESEND_WINDOW), ZoneOffset.UTC);
    return pool.withTransaction(c -> c.preparedQuery("SELECT status, recipient_phone, message FROM certificates.gift"
            + " WHERE id = $1 AND giver_member_id = $2 FOR UPDATE").execute(Tuple.of(giftId, giverId)).compose(rows -> {
          if (rows.size() == 0) return Future.succeededFuture(new Pending(new ResendResult(Resent.NO_SUCH_GIFT, null, 0, false, 0), null));
          Row g = rows.iterator().next();
          String status = g.getString("status");
          if (!status.equals("SENT")) return Future.succeededFuture(new Pending(new ResendResult(Resent.ALREADY_DECIDED, status, 0, false, 0), null));
          return c.preparedQuery("SELECT count(*), min(sent_at) FROM certificates.gift_resend WHERE gift_id = $1 AND sent_at > $2")
              .execute(Tuple.of(giftId, windowStart)).compose(w -> {
                Row r = w.iterator().next();
                int recent = r.getLong(0).intValue();
                if (recent >= CertificatesOptions.GIFT_RESENDS_PER_WINDOW_MAX) {
                  var frees = r.getOffsetDateTime(1).toInstant().plus(CertificatesOptions.GIFT_RESEND_WINDOW);
                  long seconds = Math.max(1, (Duration.between(at, frees).toMillis() + 999) / 1000);
                  return Future.succeededFuture(new Pending(new ResendResult(Resent.TOO_MANY, status, seconds, false, 0), null));
                }
                return c.preparedQuery("UPDATE certificates.gift SET token_digest = $2 WHERE id = $1")
                    .execute(Tuple.of(giftId, Buffer.buffer(Codes.digest(token))))
                    .compose(u -> c.preparedQuery("INSERT INTO certificates.gift_resend (gift_id, sent_at) VALUES ($1, $2) RETURNING id")
                        .execute(Tuple.of(giftId, OffsetDateTime.ofInstant(at, ZoneOffset.UTC))))
                    .map(ins -> new Pending(new ResendResult(Resent.RESENT, status, 0, false,
                        CertificatesOptions.GIFT_RESENDS_PER_WINDOW_MAX - recent - 1), g)
                        .withResend(ins.iterator().next().getLong(0)));
              });
        }))
        // after the commit: the message goes out on the new link; the row notes whether it got through
        .compose(p -> p.gift() == null ? Future.succeededFuture(p.result()) : members.find(giverId).compose(giver ->
            sendOffer(giftId, giver == null ? "a member" : giver.name(), p.gift().getString("recipient_phone"), p.gift().getString("message"),
                baseUrl + "/#/gifts/claim?t=" + token))
            .compose(sent -> pool.preparedQuery("UPDATE certificates.gift_resend SET delivered = $2 WHERE id = $1")
                .execute(Tuple.of(p.resendId(), sent)).map(u -> new ResendResult(Resent.RESENT, "SENT", 0, sent, p.result().resendsLeft()))));
  }

  /** What the resend's transaction decided; {@code gift} is set when a message is to go out. */
  private record Pending(ResendResult result, Row gift, long resendId) {
    Pending(ResendResult result, Row gift) {
      this(result, gift, 0);
    }

    Pending withResend(long id) {
      return new Pending(result, gift, id);
    }
  }

  /** The offer MMS (SMS if refused); whether it reached the SMSC is kept for the giver's history. */
  private Future<Boolean> sendOffer(long giftId, String giverName, String phone, String message, String link) {
    return messages.giftOffered(giftId, giverName, phone, message, link)
        .compose(sent -> pool.preparedQuery("UPDATE certificates.gift SET sms_sent = $2 WHERE id = $1")
            .execute(Tuple.of(giftId, sent)).map(sent));
  }

  /** What the claim page shows: from whom, the message, the extra and the certificates (never their codes). */
  Future<Result> info(String token) {
    return findGift(token).compose(g -> {
      if (g == null) return Future.succeededFuture(new Result(Outcome.NO_SUCH_GIFT, null));
      return members.find(g.getLong("giver_member_id")).compose(giver -> items(g.getLong("id")).map(items ->
          new Result(Outcome.SENT, new JsonObject().put("status", g.getString("status"))
              .put("from", giver == null ? "a member" : giver.name())
              .put("message", g.getString("message")).put("extra", g.getString("content_name"))
              .put("extraKind", g.getString("content_kind")).put("certificates", items))));
    });
  }

  Future<Result> accept(String token, long memberId) {
    return findGift(token).compose(g -> {
      if (g == null) return Future.succeededFuture(new Result(Outcome.NO_SUCH_GIFT, null));
      if (!"SENT".equals(g.getString("status"))) return Future.succeededFuture(new Result(Outcome.ALREADY_DECIDED, null));
      long giftId = g.getLong("id");
      return members.find(memberId).compose(m -> {
        if (m == null || !m.phoneVerified() || !m.phone().equals(g.getString("recipient_phone"))) {
          return Future.succeededFuture(new Result(Outcome.WRONG_RECIPIENT, null));
        }
        return pool.preparedQuery("SELECT certificate_id FROM certificates.gift_certificate WHERE gift_id = $1 ORDER BY certificate_id")
            .execute(Tuple.of(giftId)).compose(rows -> {
              List<Long> ids = new ArrayList<>();
              for (Row r : rows) ids.add(r.getLong(0));
              // one new PIN, one hash, per certificate: counted before any is made
              long wait = ids.isEmpty() ? 0 : memberHashes.tryCount("member:" + memberId, ids.size());
              if (wait > 0) {
                return Future.succeededFuture(new Result(Outcome.TOO_MANY_HASHES, new JsonObject().put("retryAfterSeconds", wait)));
              }
              return Web.blocking(vertx, () -> {
                List<String[]> pins = new ArrayList<>();
                for (int i = 0; i < ids.size(); i++) {
                  String pin = codes.newPin();
                  pins.add(new String[] {pin, pinHasher.hash(pin)});
                }
                return pins;
              }).compose(pins -> pool.withTransaction(c -> c.preparedQuery("UPDATE certificates.gift SET status = 'ACCEPTED',"
                      + " recipient_member_id = $2, decided_at = $3 WHERE id = $1 AND status = 'SENT' RETURNING id")
                  .execute(Tuple.of(giftId, memberId, now())).compose(u -> {
                    if (u.size() == 0) return Future.succeededFuture(false);
                    List<Tuple> moves = new ArrayList<>();
                    for (int i = 0; i < ids.size(); i++) moves.add(Tuple.of(ids.get(i), memberId, pins.get(i)[1]));
                    return c.preparedQuery("UPDATE certificates.certificate SET holder_member_id = $2, pin_hash = $3,"
                        + " status = 'ACTIVE' WHERE id = $1 AND status = 'GIFT_PENDING'").executeBatch(moves).map(true);
                  })).compose(done -> {
                    if (!done) return Future.succeededFuture(new Result(Outcome.ALREADY_DECIDED, null));
                    JsonArray certs = new JsonArray();
                    for (int i = 0; i < ids.size(); i++) certs.add(new JsonObject().put("id", ids.get(i)).put("pin", pins.get(i)[0]));
                    // the new holder gets the barcodes as a buyer does; the PINs only in this answer, on screen
                    return messages.giftAccepted(m.phone(), ids).compose(v -> tellGiver(g.getLong("giver_member_id"),
                        "Your gift certificate to " + g.getString("recipient_phone") + " was accepted. Thank you for using Mileage.")
                        .map(x -> new Result(Outcome.ACCEPTED, new JsonObject().put("status", "ACCEPTED").put("certificates", certs))));
                  }));
            });
      });
    });
  }

  /** Declining needs no account: the token is the recipient's proof. The giver keeps the certificates. */
  Future<Result> reject(String token) {
    return findGift(token).compose(g -> {
      if (g == null) return Future.succeededFuture(new Result(Outcome.NO_SUCH_GIFT, null));
      long giftId = g.getLong("id");
      return pool.withTransaction(c -> c.preparedQuery("UPDATE certificates.gift SET status = 'REJECTED', decided_at = $2"
              + " WHERE id = $1 AND status = 'SENT' RETURNING id").execute(Tuple.of(giftId, now())).compose(u -> {
            if (u.size() == 0) return Future.succeededFuture(false);
            return c.preparedQuery("UPDATE certificates.certificate SET status = 'ACTIVE' WHERE status = 'GIFT_PENDING'"
                    + " AND id IN (SELECT certificate_id FROM certificates.gift_certificate WHERE gift_id = $1)")
                .execute(Tuple.of(giftId)).map(true);
          }))
          .compose(done -> !done ? Future.succeededFuture(new Result(Outcome.ALREADY_DECIDED, null))
              : tellGiver(g.getLong("giver_member_id"), "Your gift certificate to " + g.getString("recipient_phone")
                  + " was declined. It is back in My certificates.")
                  .map(v -> new Result(Outcome.REJECTED, new JsonObject().put("status", "REJECTED"))));
    });
  }

  private Future<Void> tellGiver(long giverId, String text) {
    return members.find(giverId).compose(m -> m == null ? Future.<Void>succeededFuture()
        : sms.send(m.phone(), text).<Void>mapEmpty().recover(e -> {
          LOG.warning("gift outcome SMS not sent: " + e.getClass().getSimpleName());
          return Future.succeededFuture();
        }));
  }

  private Future<Row> findGift(String token) {
    if (token == null || !token.matches("[A-Za-z0-9_-]{22}")) return Future.succeededFuture(null);
    return pool.preparedQuery("SELECT g.*, ct.name AS content_name, ct.kind AS content_kind FROM certificates.gift g"
            + " LEFT JOIN certificates.content ct ON ct.id = g.content_id WHERE g.token_digest = $1")
        .execute(Tuple.of(Buffer.buffer(Codes.digest(token))))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  private Future<JsonArray> items(long giftId) {
    return pool.preparedQuery("SELECT c.id, i.category, i.issuer, c.face_value_won FROM certificates.gift_certificate gc"
            + " JOIN certificates.certificate c ON c.id = gc.certificate_id JOIN certificates.item i ON i.id = c.item_id"
            + " WHERE gc.gift_id = $1 ORDER BY c.id").execute(Tuple.of(giftId)).map(rows -> {
          JsonArray a = new JsonArray();
          for (Row r : rows) a.add(new JsonObject().put("id", r.getLong("id")).put("category", r.getString("category"))
              .put("issuer", r.getString("issuer")).put("faceValueWon", r.getLong("face_value_won")));
          return a;
        });
  }

  Future<List<JsonObject>> history(long giverId) {
    return pool.preparedQuery("SELECT g.id, g.recipient_phone, g.message, g.status, g.created_at, g.decided_at, g.sms_sent,"
            + " ct.name AS content_name FROM certificates.gift g LEFT JOIN certificates.content ct ON ct.id = g.content_id"
            + " WHERE g.giver_member_id = $1 ORDER BY g.id DESC LIMIT " + CertificatesOptions.HISTORY_ROWS_MAX)
        .execute(Tuple.of(giverId)).compose(rows -> {
          List<Future<JsonObject>> out = new ArrayList<>();
          for (Row r : rows) {
            JsonObject j = new JsonObject().put("id", r.getLong("id")).put("recipientPhone", r.getString("recipient_phone"))
                .put("message", r.getString("message")).put("status", r.getString("status"))
                .put("extra", r.getString("content_name")).put("smsSent", r.getBoolean("sms_sent"))
                .put("createdAt", r.getOffsetDateTime("created_at").toInstant().toString())
                .put("decidedAt", r.getOffsetDateTime("decided_at") == null ? null : r.getOffsetDateTime("decided_at").toInstant().toString());
            out.add(items(r.getLong("id")).map(items -> j.put("certificates", items)));
          }
          return Future.all(out).map(all -> {
            List<JsonObject> list = new ArrayList<>();
            for (int i = 0; i < out.size(); i++) list.add(all.resultAt(i));
            return list;
          });
        });
  }
}
