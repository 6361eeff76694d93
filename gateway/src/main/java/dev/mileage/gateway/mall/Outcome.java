package dev.mileage.gateway.mall;

import io.vertx.core.json.JsonObject;

/** Business outcomes of the mall's requests, with the HTTP answer each gets. Only DONE changed anything. */
enum Outcome {
  DONE(200, null, null),
  CREATED(201, null, null),
  PAYMENT_DECLINED(402, "payment_declined", "the card payment was declined; no tokens moved"),
  PAYMENT_UNAVAILABLE(503, "payment_unavailable", "the card payment service could not be reached; nothing was charged"),
  VENDOR_NOT_APPROVED(403, "vendor_not_approved", "the vendor is not approved by the mall operator"),
  NO_SUCH_VENDOR(404, "not_found", "no such approved vendor"),
  NO_SUCH_PRODUCT(404, "not_found", "no such product in this vendor's catalog"),
  NO_SUCH_AUCTION(404, "not_found", "no such auction"),
  NOT_REGISTERED(409, "not_registered", "the member is not registered with this vendor"),
  NOT_ACCEPTED(422, "token_not_accepted", "this vendor does not accept these tokens"),
  TOKEN_NOT_ALLOWED(422, "token_not_allowed",
      "these manufacturer tokens cannot pay for this product at this vendor: it is not (or no longer) on the manufacturer's product list"),
  INSUFFICIENT_TOKENS(409, "insufficient_tokens", "not enough tokens available"),
  VENDOR_OUT_OF_TOKENS(409, "vendor_out_of_tokens", "the vendor has not enough tokens to allot; it must buy more from the mall"),
  REQUEST_KEY_REUSED(409, "request_key_reused", "this request key was used for a different request"),
  RATE_CHANGED(409, "rate_changed", "the rates changed since the quote; look at the new quote and confirm again"),
  SAME_TOKEN(400, "invalid_request", "choose two different vendors' tokens"),
  TOO_SMALL(422, "amount_too_small", "the amount is worth less than one token after the service charge"),
  BID_TOO_LOW(409, "bid_too_low", "a bid must be at least the starting bid and above the highest bid"),
  AUCTION_CLOSED(409, "auction_closed", "the auction is closed"),
  NOT_DUE(409, "not_due", "the auction closes later"),
  TOO_MANY(409, "too_many", "a limit was reached"),
  AUCTION_TOKENS_ONLY(409, "auction_tokens_only",
      "auction tokens pay only for bids in the issuing vendor's auctions, not for purchases, POS sales or exchanges"),
  NOT_EXCHANGEABLE(409, "token_not_exchangeable",
      "gift-certificate and auction tokens cannot be exchanged into other tokens; nothing was moved"),
  NO_SUCH_TOKEN(404, "not_found", "this vendor has no tokens of this kind"),
  NOT_RESTRICTED(409, "not_restricted", "only a manufacturer's token has a product list"),
  ALREADY_LISTED(409, "already_listed", "these products are on the list already; nothing was changed"),
  NOT_LISTED(409, "not_listed", "these products are not on the list; nothing was changed"),
  LIST_EMPTY(422, "product_list_empty",
      "a manufacturer's token must keep at least one product (an empty list would let it pay for anything); nothing was changed"),
  LIST_TOO_LONG(409, "too_many", "the list would exceed " + MallOptions.ALLOWED_PRODUCTS_MAX + " products; nothing was changed"),
  UNKNOWN_PRODUCT_VENDOR(422, "unknown_vendor", "these products name no approved vendor; nothing was changed"),
  INVALID_PAY_CODE(422, "invalid_pay_code", "the pay code is unknown, expired, used or for another vendor");

  final int status;
  final String error;
  final String reason;

  Outcome(int status, String error, String reason) {
    this.status = status;
    this.error = error;
    this.reason = reason;
  }

  /** A result: this outcome and its body (for errors {@code {error, reason}} plus details). */
  Result with(JsonObject body) {
    return new Result(this, body);
  }

  Result error() {
    return new Result(this, new JsonObject().put("error", error).put("reason", reason));
  }

  record Result(Outcome outcome, JsonObject body) { }
}
