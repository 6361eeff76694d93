package dev.mileage.gateway.certificates;

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
import java.util.logging.Logger;

/**
 * Tells a buyer their certificates are issued. The rule: a purchase is always announced by one MMS-like
 * message (SIP MESSAGE, multipart/mixed): the text, then each certificate's Code 128 barcode as a PNG, the
 * same barcode a POS scans from the screen. It goes over UDP when the whole MESSAGE fits RFC 3428's 1300
 * bytes (a small purchase), else over TCP (see {@link dev.mileage.gateway.members.SipSmsSender}). If
 * the SMSC refuses it or cannot be reached, the same text goes as a plain SMS. Never a PIN: the PIN is shown
 * only on screen.
 */
final class CertificateMessages {
  /** A barcode PNG is about 170 bytes; one past this is a bug in the drawing, not something to send. */
  static final int PNG_BYTES_MAX = 2_048;
  private static final Logger LOG = Logger.getLogger(CertificateMessages.class.getName());

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
    String issuer = item.issuer().length() > 40 ? item.issuer().substring(0, 40) : item.issuer();
    return "Mileage: " + sheets + " x " + issuer + " " + String.format("%,d", item.faceValueWon())
        + " won gift certificate issued (purchase " + purchaseId + ", "
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
      return pool.preparedQuery("SELECT sheet, code FROM certificates.certificate WHERE purchase_id = $1 ORDER BY sheet")
          .execute(Tuple.of(purchaseId))
          .compose(rows -> Web.blocking(vertx, () -> parts(text, rows)))
          .compose(parts -> sms.sendMultipart(m.phone(), parts))
          .compose(r -> {
            if (r == SmsSender.Result.DELIVERED_TO_SMSC) return Future.succeededFuture(r);
            LOG.info("purchase MMS " + r + ": sending the text as SMS");
            return sms.send(m.phone(), text);
          })
          .<Void>mapEmpty().recover(e -> {
            LOG.warning("purchase message not sent: " + e.getClass().getSimpleName());
            return Future.succeededFuture();
          });
    });
  }

  private static List<SmsSender.Part> parts(String text, Iterable<Row> certificates) {
    List<SmsSender.Part> parts = new ArrayList<>();
    parts.add(new SmsSender.Part("text/plain; charset=UTF-8", null, text.getBytes(StandardCharsets.UTF_8)));
    for (Row c : certificates) {
      byte[] png = Barcodes.png(Barcodes.Kind.CODE128, c.getString("code"));
      if (png.length > PNG_BYTES_MAX) throw new IllegalStateException("barcode PNG of " + png.length + " bytes");
      parts.add(new SmsSender.Part("image/png", "certificate " + Codes.display(c.getString("code")), png));
    }
    return parts;
  }
}
