-- Token kinds (issue #9). A vendor's own token (vendor.point_type) is STANDARD for a shop and MANUFACTURER
-- (restricted to listed products) for a manufacturer. The operator may give an approved vendor extra tokens of
-- two more kinds, each its own ledger point type issued by the vendor (TOKEN_<code>_GIFT, TOKEN_<code>_AUCTION):
--   GIFT_CERTIFICATE: gift value, spendable at the vendor and where its tokens are accepted, never exchanged;
--   AUCTION: only for bidding in (and settling) the vendor's auctions; no purchases, POS sales or exchanges.
CREATE TABLE token (
  vendor_id  BIGINT      NOT NULL REFERENCES vendor (id),
  kind       TEXT        NOT NULL CHECK (kind IN ('GIFT_CERTIFICATE', 'AUCTION')),
  point_type INTEGER     NOT NULL UNIQUE,
  created_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (vendor_id, kind)
);

-- Which of the token vendor's tokens a journal entry moved; an auction's payment token.
ALTER TABLE entry ADD COLUMN token_kind TEXT NOT NULL DEFAULT 'STANDARD'
  CHECK (token_kind IN ('STANDARD', 'MANUFACTURER', 'GIFT_CERTIFICATE', 'AUCTION'));
-- A POS pay code pays with the member's own or gift-certificate tokens of token_vendor_id (never auction tokens).
ALTER TABLE pay_code ADD COLUMN token_kind TEXT NOT NULL DEFAULT 'STANDARD'
  CHECK (token_kind IN ('STANDARD', 'MANUFACTURER', 'GIFT_CERTIFICATE'));
ALTER TABLE auction ADD COLUMN token_kind TEXT NOT NULL DEFAULT 'STANDARD'
  CHECK (token_kind IN ('STANDARD', 'AUCTION'));
-- entries made before kinds existed moved the token vendor's own token: a manufacturer's is MANUFACTURER
UPDATE entry SET token_kind = 'MANUFACTURER'
  WHERE token_vendor_id IN (SELECT id FROM vendor WHERE kind = 'MANUFACTURER');
