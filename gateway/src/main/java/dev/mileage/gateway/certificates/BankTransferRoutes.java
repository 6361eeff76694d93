package dev.mileage.gateway.certificates;

import dev.mileage.gateway.members.Web;
import dev.mileage.gateway.shop.PaymentProvider;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** The HTTP edge of bank-transfer purchases: the buyer's view of an order, and the provider's deposit notices. */
final class BankTransferRoutes {
  static final String SIGNATURE_HEADER = "X-Payment-Signature";
  /** A deposit notice is a few hundred bytes; anything larger is not one. */
  static final int NOTICE_BYTES_MAX = 2_048;

  private final PurchaseService purchases;
  private final BankTransfers transfers;

  BankTransferRoutes(PurchaseService purchases, BankTransfers transfers) {
    this.purchases = purchases;
    this.transfers = transfers;
  }

  /** GET one purchase of the caller: a bank-transfer order shows its account, amount, deadline and state. */
  void one(RoutingContext ctx) {
    Long member = CertificatesFeature.member(ctx);
    if (member == null) return;
    long id = CertificateRoutes.pathId(ctx);
    purchases.expireDue(member).compose(n -> purchases.one(member, id)).onSuccess(p -> {
      if (p == null) notYours(ctx);
      else Web.json(ctx, 200, p);
    }).onFailure(ctx::fail);
  }

  /** POST by the payment provider (no session): a signed deposit notice. */
  void notice(RoutingContext ctx) {
    String signature = ctx.request().getHeader(SIGNATURE_HEADER);
    var body = ctx.body().buffer();
    if (signature == null || signature.length() > 256) {
      Web.error(ctx, 401, "bad_signature", "the notice needs the provider's signature in " + SIGNATURE_HEADER);
      return;
    }
    if (body == null || body.length() == 0 || body.length() > NOTICE_BYTES_MAX) {
      throw new IllegalArgumentException("a deposit notice is a JSON body of at most " + NOTICE_BYTES_MAX + " bytes");
    }
    transfers.notice(new PaymentProvider.DepositNotice(body.toString(), signature))
        .onSuccess(r -> answer(ctx, r)).onFailure(ctx::fail);
  }

  /** POST by the buyer, sandbox provider only: "my bank paid this much into the order's account". */
  void simulate(RoutingContext ctx) {
    Long member = CertificatesFeature.member(ctx);
    if (member == null) return;
    long id = CertificateRoutes.pathId(ctx);
    long amount = Web.requireLong(Web.body(ctx), "amountWon", 1, CertificatesOptions.PURCHASE_WON_MAX);
    transfers.simulate(member, id, amount).onSuccess(r -> {
      if (r.isEmpty()) {
        Web.error(ctx, 404, "not_found", "no bank-transfer order of yours with this id (or the payment provider is not a sandbox)");
      } else {
        answer(ctx, r.get());
      }
    }).onFailure(ctx::fail);
  }

  private static void answer(RoutingContext ctx, BankTransfers.Result r) {
    switch (r.outcome()) {
      case ISSUED, ALREADY_PAID -> Web.json(ctx, 200, new JsonObject().put("result", r.outcome().name())
          .put("purchaseId", r.purchaseId()).put("reason", r.reason()));
      case BAD_SIGNATURE -> Web.error(ctx, 401, "bad_signature", r.reason());
      case UNKNOWN_REFERENCE -> Web.error(ctx, 404, "unknown_reference", r.reason());
      case EXPIRED -> Web.json(ctx, 409, new JsonObject().put("error", "expired").put("reason", r.reason())
          .put("purchaseId", r.purchaseId()));
      case NOT_PAYABLE -> Web.json(ctx, 409, new JsonObject().put("error", "not_payable").put("reason", r.reason())
          .put("purchaseId", r.purchaseId()));
      case AMOUNT_MISMATCH -> Web.json(ctx, 422, new JsonObject().put("error", "amount_mismatch").put("reason", r.reason())
          .put("purchaseId", r.purchaseId()));
    }
  }

  private static void notYours(RoutingContext ctx) {
    Web.error(ctx, 404, "not_found", "no such purchase among yours");
  }
}
