package dev.mileage.gateway.certificates;

import dev.mileage.gateway.http.ClientAddress;
import dev.mileage.gateway.http.Caller;
import dev.mileage.gateway.members.GuessLimiter;
import dev.mileage.gateway.members.Web;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;

/** The HTTP edge of the certificates: checks input, calls a service, maps its outcome to an answer. */
final class CertificateRoutes {
  static final String DENIED_REASON = "the code or the PIN is not valid";
  static final String THROTTLED_REASON = "too many failed attempts; redemption is paused, try again later";

  private final CertificatesOptions options;
  private final Catalog catalog;
  private final Stores stores;
  private final PurchaseService purchases;
  private final GiftService gifts;
  private final RedemptionService redemptions;
  private final Holdings holdings;
  /** PIN hashes per signed-in member ("member:id") and per store's POS ("store:id"). */
  private final GuessLimiter memberHashes;
  private final GuessLimiter storeHashes;

  CertificateRoutes(CertificatesOptions options, Catalog catalog, Stores stores, PurchaseService purchases, GiftService gifts,
                    RedemptionService redemptions, Holdings holdings, GuessLimiter memberHashes, GuessLimiter storeHashes) {
    this.options = options;
    this.catalog = catalog;
    this.stores = stores;
    this.purchases = purchases;
    this.gifts = gifts;
    this.redemptions = redemptions;
    this.holdings = holdings;
    this.memberHashes = memberHashes;
    this.storeHashes = storeHashes;
  }

  static final String PIN_HASHES_REASON = "too many PIN operations for this account";

  void catalog(RoutingContext ctx) {
    catalog.items(true).onSuccess(items -> Web.json(ctx, 200, new JsonObject()
            .put("categories", new JsonArray(List.of("DEPARTMENT_STORE", "BOOKS", "CULTURE", "GENERAL", "TICKETS")))
            .put("items", new JsonArray(items.stream().map(Catalog.Item::toJson).toList()))))
        .onFailure(ctx::fail);
  }

  void contents(RoutingContext ctx) {
    catalog.contents().onSuccess(c -> Web.json(ctx, 200, new JsonArray(c))).onFailure(ctx::fail);
  }

  void buy(RoutingContext ctx) {
    Long member = CertificatesFeature.member(ctx);
    if (member == null) return;
    JsonObject b = Web.body(ctx);
    PurchaseService.Settlement settlement;
    try {
      settlement = PurchaseService.Settlement.valueOf(Web.requireText(b, "settlement", 20));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("settlement must be PHONE_BILL, CARD or BANK_TRANSFER");
    }
    var request = new PurchaseService.Request(member, Web.requireText(b, "requestKey", 64),
        Web.requireLong(b, "itemId", 1, Long.MAX_VALUE), (int) Web.requireLong(b, "sheets", 1, CertificatesOptions.SHEETS_PER_PURCHASE_MAX),
        settlement, Web.optionalText(b, "cardToken", 128));
    purchases.buy(request).onSuccess(r -> {
      switch (r.outcome()) {
        case ISSUED -> Web.json(ctx, 201, r.purchase());
        case AWAITING_DEPOSIT -> Web.json(ctx, 202, r.purchase());
        case EXPIRED -> Web.json(ctx, 410, new JsonObject().put("error", "expired").put("reason", r.reason())
            .put("purchaseId", r.purchaseId()).put("status", "EXPIRED"));
        case DECLINED -> Web.json(ctx, 402, new JsonObject().put("error", "payment_declined").put("reason", r.reason())
            .put("purchaseId", r.purchaseId()).put("status", "DECLINED"));
        case NO_SUCH_ITEM -> Web.error(ctx, 404, "not_found", r.reason());
        case REQUEST_KEY_REUSED -> Web.error(ctx, 409, "request_key_reused", r.reason());
      }
    }).onFailure(ctx::fail);
  }

  void mine(RoutingContext ctx) {
    Long member = CertificatesFeature.member(ctx);
    if (member == null) return;
    holdings.mine(member).onSuccess(l -> Web.json(ctx, 200, new JsonArray(l))).onFailure(ctx::fail);
  }

  void one(RoutingContext ctx) {
    Long member = CertificatesFeature.member(ctx);
    if (member == null) return;
    holdings.one(member, pathId(ctx)).onSuccess(c -> {
      if (c == null) notYours(ctx);
      else {
        c.remove("rawCode");
        Web.json(ctx, 200, c);
      }
    }).onFailure(ctx::fail);
  }

  void barcode(RoutingContext ctx) {
    Long member = CertificatesFeature.member(ctx);
    if (member == null) return;
    String kind = ctx.queryParams().get("kind");
    Barcodes.Kind k = "qr".equalsIgnoreCase(kind) ? Barcodes.Kind.QR : Barcodes.Kind.CODE128;
    if (kind != null && !kind.equalsIgnoreCase("qr") && !kind.equalsIgnoreCase("code128")) {
      throw new IllegalArgumentException("kind must be code128 or qr");
    }
    holdings.one(member, pathId(ctx)).onSuccess(c -> {
      if (c == null) {
        notYours(ctx);
        return;
      }
      ctx.response().putHeader("Content-Type", "image/svg+xml").putHeader("Cache-Control", "no-store")
          .end(Barcodes.svg(k, c.getString("rawCode")));
    }).onFailure(ctx::fail);
  }

  void newPin(RoutingContext ctx) {
    Long member = CertificatesFeature.member(ctx);
    if (member == null) return;
    long id = pathId(ctx);
    if (!Web.hashingAllowed(ctx, memberHashes, "member:" + member, 1, PIN_HASHES_REASON)) return;
    holdings.newPin(member, id).onSuccess(pin -> {
      if (pin == null) notYours(ctx);
      else Web.json(ctx, 200, new JsonObject().put("pin", pin));
    }).onFailure(ctx::fail);
  }

  void usage(RoutingContext ctx) {
    Long member = CertificatesFeature.member(ctx);
    if (member == null) return;
    holdings.usage(member).onSuccess(l -> Web.json(ctx, 200, new JsonArray(l))).onFailure(ctx::fail);
  }

  void redeemOnline(RoutingContext ctx) {
    Long member = CertificatesFeature.member(ctx);
    if (member == null) return;
    JsonObject b = Web.body(ctx);
    long id = pathId(ctx);
    var attempt = new RedemptionService.Attempt(0, "m" + member + "-" + Web.requireText(b, "orderId", 48),
        ClientAddress.of(ctx), Web.requireLong(b, "amountWon", 1, CertificatesOptions.REDEMPTION_WON_MAX));
    String pin = pinOf(b);
    if (!Web.hashingAllowed(ctx, memberHashes, "member:" + member, 1, PIN_HASHES_REASON)) return;
    redemptions.redeemOwn(member, id, pin, attempt)
        .onSuccess(r -> answer(ctx, r, attempt.transactionId())).onFailure(ctx::fail);
  }

  void redeemAtPos(RoutingContext ctx) {
    Caller c = Caller.of(ctx).orElse(null);
    if (c == null || c.kind() != Caller.Kind.STORE) {
      Web.error(ctx, 403, "forbidden", "the POS API needs store credentials (X-Store-Key)");
      return;
    }
    JsonObject b = Web.body(ctx);
    var attempt = new RedemptionService.Attempt(Long.parseLong(c.id()), Web.requireText(b, "transactionId",
        CertificatesOptions.TRANSACTION_ID_LENGTH_MAX), ClientAddress.of(ctx), Web.requireLong(b, "amountWon", 1, CertificatesOptions.REDEMPTION_WON_MAX));
    Object code = b.getValue("code");
    if (!(code instanceof String)) throw new IllegalArgumentException("code is required");
    String pin = pinOf(b);
    if (!Web.hashingAllowed(ctx, storeHashes, "store:" + c.id(), 1, "too many PIN checks for this store")) return;
    redemptions.redeemByCode((String) code, pin, attempt)
        .onSuccess(r -> answer(ctx, r, attempt.transactionId())).onFailure(ctx::fail);
  }

  private static String pinOf(JsonObject b) {
    Object pin = b.getValue("pin");
    if (!(pin instanceof String p) || p.length() > 32) throw new IllegalArgumentException("pin is required");
    return p;
  }

  /** Unknown code and wrong PIN share one answer, byte for byte. */
  private static void answer(RoutingContext ctx, RedemptionService.Result r, String transactionId) {
    switch (r.outcome()) {
      case APPROVED -> Web.json(ctx, 200, new JsonObject().put("approved", true).put("transactionId", transactionId)
          .put("certificateId", r.certificateId()).put("approvedWon", r.approvedWon()).put("balanceWon", r.balanceWon()));
      case INVALID_CODE_OR_PIN -> Web.json(ctx, 422, new JsonObject().put("error", "declined").put("approved", false)
          .put("code", "INVALID_CODE_OR_PIN").put("reason", DENIED_REASON));
      case THROTTLED -> {
        ctx.response().putHeader("Retry-After", Long.toString(r.retryAfterSeconds()));
        Web.json(ctx, 429, new JsonObject().put("error", "too_many_attempts").put("approved", false).put("reason", THROTTLED_REASON));
      }
      case INSUFFICIENT_BALANCE -> Web.json(ctx, 422, new JsonObject().put("error", "declined").put("approved", false)
          .put("code", "INSUFFICIENT_BALANCE").put("balanceWon", r.balanceWon())
          .put("reason", "the certificate holds " + r.balanceWon() + " won, less than the amount"));
      case NOT_REDEEMABLE -> Web.json(ctx, 422, new JsonObject().put("error", "declined").put("approved", false)
          .put("code", "NOT_REDEEMABLE").put("reason", "the certificate is being gifted and cannot be used now"));
      case TRANSACTION_ID_REUSED -> Web.error(ctx, 409, "transaction_id_reused",
          "this transaction id was used for a different redemption");
    }
  }

  void gift(RoutingContext ctx) {
    Long member = CertificatesFeature.member(ctx);
    if (member == null) return;
    JsonObject b = Web.body(ctx);
    Object ids = b.getValue("certificateIds");
    if (!(ids instanceof JsonArray a)) throw new IllegalArgumentException("certificateIds must be a list of ids");
    List<Long> list = new ArrayList<>();
    for (Object o : a) {
      if (!(o instanceof Number n) || n.longValue() <= 0 || n.doubleValue() != n.longValue()) {
        throw new IllegalArgumentException("certificateIds must be positive whole numbers");
      }
      list.add(n.longValue());
    }
    String message = Web.optionalText(b, "message", CertificatesOptions.MESSAGE_LENGTH_MAX);
    if (message != null && MessageText.hasControlCharacters(message)) {
      // line breaks and tabs from a text area are fine (the MMS folds them into spaces); nothing else invisible
      throw new IllegalArgumentException("message must not contain control characters");
    }
    Long content = b.getValue("extraId") == null ? null : Web.requireLong(b, "extraId", 1, Long.MAX_VALUE);
    gifts.gift(member, list, Web.requireText(b, "recipientPhone", 16), message == null ? "" : message, content, baseUrl(ctx))
        .onSuccess(r -> {
          switch (r.outcome()) {
            case SENT -> Web.json(ctx, 201, r.body());
            case NOT_GIFTABLE -> Web.error(ctx, 409, "not_giftable",
                "every certificate must be yours and neither used in another gift nor pending");
            case NO_SUCH_CONTENT -> Web.error(ctx, 400, "invalid_request", "no such extra in the contents catalog");
            case SELF_GIFT -> Web.error(ctx, 400, "invalid_request", "that is your own phone number");
            default -> throw new IllegalStateException("gift answered " + r.outcome());
          }
        }).onFailure(ctx::fail);
  }

  void gifts(RoutingContext ctx) {
    Long member = CertificatesFeature.member(ctx);
    if (member == null) return;
    gifts.history(member).onSuccess(l -> Web.json(ctx, 200, new JsonArray(l))).onFailure(ctx::fail);
  }

  /** POST by the giver: send the offer of their own open gift again, on a new link (rate-limited). */
  void resendGift(RoutingContext ctx) {
    Long member = CertificatesFeature.member(ctx);
    if (member == null) return;
    long id = pathId(ctx);
    gifts.resend(member, id, baseUrl(ctx)).onSuccess(r -> {
      switch (r.outcome()) {
        case RESENT -> Web.json(ctx, 200, new JsonObject().put("giftId", id).put("status", "SENT").put("smsSent", r.smsSent())
            .put("resendsLeft", r.resendsLeft()));
        case NO_SUCH_GIFT -> Web.error(ctx, 404, "not_found", "no such gift among yours");
        case ALREADY_DECIDED -> Web.json(ctx, 409, new JsonObject().put("error", "already_decided").put("status", r.status())
            .put("reason", "the recipient already " + (r.status().equals("ACCEPTED") ? "accepted" : "declined")
                + " this gift; there is nothing to resend"));
        case TOO_MANY -> {
          ctx.response().putHeader("Retry-After", Long.toString(r.retryAfterSeconds()));
          Web.error(ctx, 429, "too_many_resends", "this gift's offer was resent " + CertificatesOptions.GIFT_RESENDS_PER_WINDOW_MAX
              + " times within " + CertificatesOptions.GIFT_RESEND_WINDOW.toMinutes() + " minutes; try again in "
              + r.retryAfterSeconds() + " s");
        }
      }
    }).onFailure(ctx::fail);
  }

  void claimInfo(RoutingContext ctx) {
    gifts.info(ctx.pathParam("token")).onSuccess(r -> {
      if (r.outcome() == GiftService.Outcome.NO_SUCH_GIFT) noSuchGift(ctx);
      else Web.json(ctx, 200, r.body());
    }).onFailure(ctx::fail);
  }

  void accept(RoutingContext ctx) {
    Long member = CertificatesFeature.member(ctx);
    if (member == null) return;
    gifts.accept(ctx.pathParam("token"), member).onSuccess(r -> decided(ctx, r)).onFailure(ctx::fail);
  }

  void reject(RoutingContext ctx) {
    gifts.reject(ctx.pathParam("token")).onSuccess(r -> decided(ctx, r)).onFailure(ctx::fail);
  }

  private static void decided(RoutingContext ctx, GiftService.Result r) {
    switch (r.outcome()) {
      case ACCEPTED, REJECTED -> Web.json(ctx, 200, r.body());
      case NO_SUCH_GIFT -> noSuchGift(ctx);
      case ALREADY_DECIDED -> Web.error(ctx, 409, "already_decided", "this gift has already been accepted or declined");
      case WRONG_RECIPIENT -> Web.error(ctx, 403, "wrong_recipient",
          "this gift was sent to another phone number: sign in as the member with that (verified) number");
      case TOO_MANY_HASHES -> {
        long wait = r.body().getLong("retryAfterSeconds");
        ctx.response().putHeader("Retry-After", Long.toString(wait));
        Web.json(ctx, 429, new JsonObject().put("error", "too_many_hashing_requests").put("retryAfterSeconds", wait)
            .put("reason", PIN_HASHES_REASON + "; try again in " + wait + " seconds"));
      }
      default -> throw new IllegalStateException("claim answered " + r.outcome());
    }
  }

  private static void noSuchGift(RoutingContext ctx) {
    Web.error(ctx, 404, "not_found", "no gift behind this link; check the link in the SMS");
  }

  void adminItems(RoutingContext ctx) {
    catalog.items(false).onSuccess(items -> Web.json(ctx, 200, new JsonArray(items.stream().map(Catalog.Item::toJson).toList())))
        .onFailure(ctx::fail);
  }

  void addItem(RoutingContext ctx) {
    JsonObject b = Web.body(ctx);
    String description = Web.optionalText(b, "description", Catalog.DESCRIPTION_LENGTH_MAX);
    catalog.add(Web.requireText(b, "category", 20), Web.requireText(b, "issuer", Catalog.ISSUER_LENGTH_MAX),
            Web.requireLong(b, "faceValueWon", 1, Catalog.FACE_VALUE_WON_MAX), description == null ? "" : description)
        .onSuccess(item -> {
          if (item == null) Web.error(ctx, 409, "exists", "this category, issuer and face value are in the catalog already");
          else Web.json(ctx, 201, item.toJson());
        }).onFailure(ctx::fail);
  }

  void setItemActive(RoutingContext ctx) {
    Object active = Web.body(ctx).getValue("active");
    if (!(active instanceof Boolean a)) throw new IllegalArgumentException("active must be true or false");
    catalog.setActive(pathId(ctx), a).onSuccess(item -> {
      if (item == null) Web.error(ctx, 404, "not_found", "no such catalog item");
      else Web.json(ctx, 200, item.toJson());
    }).onFailure(ctx::fail);
  }

  void adminStores(RoutingContext ctx) {
    stores.list().onSuccess(l -> Web.json(ctx, 200, new JsonArray(l))).onFailure(ctx::fail);
  }

  void addStore(RoutingContext ctx) {
    JsonObject b = Web.body(ctx);
    stores.register(Web.requireText(b, "name", 100), Web.requireText(b, "chain", 100))
        .onSuccess(s -> Web.json(ctx, 201, s)).onFailure(ctx::fail);
  }

  void setStoreActive(RoutingContext ctx) {
    Object active = Web.body(ctx).getValue("active");
    if (!(active instanceof Boolean a)) throw new IllegalArgumentException("active must be true or false");
    stores.setActive(pathId(ctx), a).onSuccess(ok -> {
      if (!ok) Web.error(ctx, 404, "not_found", "no such store");
      else Web.json(ctx, 200, new JsonObject().put("id", pathId(ctx)).put("active", a));
    }).onFailure(ctx::fail);
  }

  /** Another member's certificate answers exactly like a certificate that does not exist. */
  private static void notYours(RoutingContext ctx) {
    Web.error(ctx, 404, "not_found", "no such certificate among yours");
  }

  static long pathId(RoutingContext ctx) {
    try {
      long id = Long.parseLong(ctx.pathParam("id"));
      if (id <= 0) throw new NumberFormatException();
      return id;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("id must be a positive number");
    }
  }

  private String baseUrl(RoutingContext ctx) {
    if (!options.publicBaseUrl().isEmpty()) return options.publicBaseUrl();
    String host = ctx.request().getHeader("Host");
    if (host == null || !host.matches("[A-Za-z0-9.\\-\\[\\]:]{1,100}")) host = "localhost";
    return (ctx.request().isSSL() ? "https" : "http") + "://" + host;
  }
}
