package dev.mileage.gateway.certificates;

import dev.mileage.gateway.members.SignUp;
import dev.mileage.gateway.members.SipSmsSender;
import dev.mileage.gateway.members.SmsSender;
import dev.mileage.gateway.members.Web;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Tells members about their certificates. The rule: a holder learns of new certificates by one MMS-like
 * message (SIP MESSAGE, multipart/mixed): the text, then each certificate's Code 128 barcode as a PNG, the
 * same barcode a POS scans from the screen. That is a buyer after a purchase and a gift's recipient once they
 * accept it. A gift's recipient is first told of the offer by the same kind of MMS (who it is from, the
 * giver's message, how to claim it) but without barcodes: until accepted the certificates are the giver's,
 * and codes are shown only to their holder. Each MMS goes over UDP when the whole MESSAGE fits RFC 3428's
 * 1300 bytes, else over TCP (see {@link SipSmsSender}); if the SMSC refuses it or cannot be reached, a text
 * goes as a plain SMS. Never a PIN: the PIN is shown only on screen.
 */
final class CertificateMessages {
  /** A barcode PNG is about 170 bytes; one past this is a bug in the drawing, not something to send. */
  static final int PNG_BYTES_MAX = 2_048;
  /** The giver's name as the claim page shows it; the SMS fallback keeps less. */
  static final int GIVER_NAME_CHARS_MAX = SignUp.NAME_LENGTH_MAX;
  static final int SMS_GIVER_NAME_CHARS_MAX = 20;
  static final int ISSUER_CHARS_MAX = 40;
  static final int EXTRA_NAME_CHARS_MAX = 60;
  static final String TEXT = "text/plain; charset=UTF-8";
  private static final Logger LOG = Logger.getLogger(CertificateMessages.class.getName());

  /** One certificate as a message mentions it. */
  record Sheet(String code, String issuer, long faceValueWon) { }

  private final Vertx vertx;
  private final Pool pool;
  private final SmsSender sms;
  private final MemberDirectory members;

  CertificateMessages(Vertx vertx, Pool pool, SmsSender sms, MemberDirectory members) {
    this.vertx = vertx;
    this.pool = pool;
    this.sms = sms;
    this.members = members;
  }

  static String purchaseText(Catalog.Item item, long purchaseId, int sheets, PurchaseService.Settlement settlement) {
    return "Mileage: " + sheets + " x " + MessageText.oneLine(item.issuer(), ISSUER_CHARS_MAX) + " "
        + String.format("%,d", item.faceValueWon()) + " won gift certificate issued (purchase " + purchaseId + ", "
        + switch (settlement) {
          case PHONE_BILL -> "on your phone bill";
          case CARD -> "by card";
          case BANK_TRANSFER -> "by bank transfer";
        } + "). See My certificates.";
  }

  /** Never fails: a message that cannot be sent is logged (without content) and the purchase stands. */
  Future<Void> purchaseIssued(long memberId, Catalog.Item item, long purchaseId, int sheets,
                              PurchaseService.Settlement settlement) {
    String text = purchaseText(item, purchaseId, sheets, settlement);
    return members.find(memberId).compose(m -> {
      if (m == null) return Future.succeededFuture();
      return sheets("c.purchase_id = $1", Tuple.of(purchaseId))
          .compose(certs -> deliver("purchase", m.phone(), List.of(part(null, text)), certs, text))
          .recover(e -> notSent("purchase", e)).mapEmpty();
    });
  }

  /** "2 x Culture Pass 10,000 won gift certificates", or the count and the sum when they differ. */
  static String certificatesPhrase(List<Sheet> sheets) {
    if (sheets.isEmpty()) throw new IllegalArgumentException("no certificates");
    Sheet first = sheets.get(0);
    boolean alike = sheets.stream().allMatch(s -> s.issuer().equals(first.issuer()) && s.faceValueWon() == first.faceValueWon());
    if (alike) {
      return sheets.size() + " x " + MessageText.oneLine(first.issuer(), ISSUER_CHARS_MAX) + " "
          + String.format("%,d", first.faceValueWon()) + " won gift certificate" + (sheets.size() == 1 ? "" : "s");
    }
    return sheets.size() + " gift certificates worth " + String.format("%,d", sheets.stream().mapToLong(Sheet::faceValueWon).sum())
        + " won in all";
  }

  /**
   * The offer of a gift, to the recipient's number: who it is from, what it is (never the codes), the giver's
   * message, and how to accept or decline at the claim link. SMS fallback: the short claim SMS.
   *
   * @return whether the MMS or the SMS reached the SMSC; never fails
   */
  Future<Boolean> giftOffered(long giftId, String giverName, String phone, String message, String link) {
    return pool.preparedQuery("SELECT ct.kind, ct.name FROM certificates.gift g JOIN certificates.content ct ON ct.id = g.content_id"
            + " WHERE g.id = $1").execute(Tuple.of(giftId))
        .compose(content -> sheets("c.id IN (SELECT certificate_id FROM certificates.gift_certificate WHERE gift_id = $1)",
            Tuple.of(giftId)).compose(certs -> {
          Row x = content.size() == 0 ? null : content.iterator().next();
          String extraKind = x == null ? null : x.getString("kind");
          String extraName = x == null ? null : x.getString("name");
          String name = MessageText.oneLine(giverName, GIVER_NAME_CHARS_MAX);
          String extra = extraName == null ? "" : ", with the " + extraKind.toLowerCase(Locale.ROOT).replace('_', ' ') + " \""
              + MessageText.oneLine(extraName, EXTRA_NAME_CHARS_MAX) + "\"";
          String words = MessageText.oneLine(message, CertificatesOptions.MESSAGE_LENGTH_MAX);
          List<SmsSender.Part> parts = new ArrayList<>();
          parts.add(part("gift", "Mileage: " + name + " sent you a gift: " + certificatesPhrase(certs) + extra + "."));
          if (!words.isEmpty()) parts.add(part("gift message", words));
          parts.add(part("how to claim", "Accept with a Mileage account on this number to get the barcode (the PIN is shown"
              + " on screen); nobody can use it until you decide. Accept or decline: " + link));
          return deliver("gift offer", phone, parts, List.of(), giftSms(giverName, message, link));
        }))
        .recover(e -> notSent("gift offer", e));
  }

  /**
   * The claim SMS: {@code <name> sent you a gift: "<as much of the message as fits>" <link>}, 160 characters at
   * most; without the name when the link leaves no room for it. (A link longer than an SMS cannot be sent.)
   */
  static String giftSms(String giverName, String message, String link) {
    String head = MessageText.oneLine(giverName, SMS_GIVER_NAME_CHARS_MAX) + " sent you a gift:";
    if (head.length() + 1 + link.length() > SipSmsSender.TEXT_LENGTH_MAX) head = "A gift for you:";
    int room = SipSmsSender.TEXT_LENGTH_MAX - head.length() - link.length() - 4; // two spaces, two quotes
    String words = room < 8 ? "" : MessageText.oneLine(message, room);
    return head + (words.isEmpty() ? "" : " \"" + words + "\"") + " " + link;
  }

  /** The accepted gift's certificates, to their new holder: the text and each one's barcode. Never fails. */
  Future<Void> giftAccepted(String phone, List<Long> certificateIds) {
    return sheets("c.id = ANY($1)", Tuple.of(certificateIds.toArray(new Long[0])))
        .compose(certs -> {
          String text = "Mileage: " + certificatesPhrase(certs) + " accepted. Show the barcode with the PIN shown on screen.";
          return deliver("gift accepted", phone, List.of(part(null, text)), certs, text);
        })
        .recover(e -> notSent("gift accepted", e)).mapEmpty();
  }

  private Future<List<Sheet>> sheets(String where, Tuple args) {
    return pool.preparedQuery("SELECT c.code, i.issuer, c.face_value_won FROM certificates.certificate c"
            + " JOIN certificates.item i ON i.id = c.item_id WHERE " + where + " ORDER BY c.id").execute(args)
        .map(rows -> {
          List<Sheet> list = new ArrayList<>();
          for (Row r : rows) list.add(new Sheet(r.getString("code"), r.getString("issuer"), r.getLong("face_value_won")));
          return list;
        });
  }

  private static SmsSender.Part part(String description, String text) {
    return new SmsSender.Part(TEXT, description, text.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The texts and a barcode per certificate as one MMS; anything but the SMSC taking it sends {@code smsText} as
   * an SMS instead. Answers whether either reached the SMSC. Logs what happened, never the content.
   */
  private Future<Boolean> deliver(String what, String phone, List<SmsSender.Part> texts, List<Sheet> barcodes, String smsText) {
    return Web.blocking(vertx, () -> withBarcodes(texts, barcodes))
        .compose(parts -> attempt(() -> sms.sendMultipart(phone, parts)))
        .compose(r -> {
          if (r == SmsSender.Result.DELIVERED_TO_SMSC) return Future.succeededFuture(true);
          LOG.info(what + " MMS " + r + ": sending the text as SMS");
          return attempt(() -> sms.send(phone, smsText)).map(s -> s == SmsSender.Result.DELIVERED_TO_SMSC);
        });
  }

  private static List<SmsSender.Part> withBarcodes(List<SmsSender.Part> texts, List<Sheet> certificates) {
    List<SmsSender.Part> parts = new ArrayList<>(texts);
    for (Sheet c : certificates) {
      byte[] png = Barcodes.png(Barcodes.Kind.CODE128, c.code());
      if (png.length > PNG_BYTES_MAX) throw new IllegalStateException("barcode PNG of " + png.length + " bytes");
      parts.add(new SmsSender.Part("image/png", "certificate " + Codes.display(c.code()), png));
    }
    return parts;
  }

  /** A sender refusing its arguments (a bug) fails the future instead of throwing through the caller. */
  private static Future<SmsSender.Result> attempt(Supplier<Future<SmsSender.Result>> send) {
    try {
      return send.get();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  private static Future<Boolean> notSent(String what, Throwable e) {
    LOG.warning(what + " message not sent: " + e.getClass().getSimpleName());
    return Future.succeededFuture(false);
  }
}
