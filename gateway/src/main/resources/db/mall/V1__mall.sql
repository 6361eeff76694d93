-- The token mall. Token and cash amounts live in the ledger; these tables say who is who and what happened
-- (the journal), so every ledger movement of the mall can be traced to one entry and replayed by its key.

-- Vendors (web shops and manufacturers). A vendor's token is one ledger point type (defined at approval).
CREATE TABLE vendor (
  id               BIGSERIAL   PRIMARY KEY,
  name             TEXT        NOT NULL UNIQUE,
  kind             TEXT        NOT NULL CHECK (kind IN ('SHOP', 'MANUFACTURER')),
  token_code       TEXT        NOT NULL UNIQUE,            -- the point type's code is TOKEN_<token_code>
  rate_won         BIGINT      NOT NULL CHECK (rate_won > 0), -- what one token costs the vendor, and is worth
  allowed_products TEXT[]      NOT NULL DEFAULT '{}',      -- manufacturer tokens: "<vendorId>:<sku>" they may pay for
  status           TEXT        NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'SUSPENDED')),
  point_type       INTEGER,                                -- set at approval
  key_digest       BYTEA       NOT NULL,                   -- SHA-256 of the API key's secret; the key is shown once
  applied_by       TEXT        NOT NULL,                   -- the caller's owner string
  created_at       TIMESTAMPTZ NOT NULL,
  approved_at      TIMESTAMPTZ
);

-- A vendor's catalog, priced in the vendor's own token.
CREATE TABLE product (
  vendor_id    BIGINT  NOT NULL REFERENCES vendor (id),
  sku          TEXT    NOT NULL,
  name         TEXT    NOT NULL,
  description  TEXT    NOT NULL DEFAULT '',
  price_tokens BIGINT  NOT NULL CHECK (price_tokens > 0),
  active       BOOLEAN NOT NULL DEFAULT TRUE,
  PRIMARY KEY (vendor_id, sku)
);

-- Which vendor accepts which vendor's tokens (its own always, without a row). Users can see this listing.
CREATE TABLE acceptance (
  vendor_id       BIGINT NOT NULL REFERENCES vendor (id),
  token_vendor_id BIGINT NOT NULL REFERENCES vendor (id),
  PRIMARY KEY (vendor_id, token_vendor_id)
);

-- Users registered with a vendor; the mall is notified of every one (and of every issuance) in notification.
CREATE TABLE registration (
  vendor_id     BIGINT      NOT NULL REFERENCES vendor (id),
  member_id     BIGINT      NOT NULL,
  registered_at TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (vendor_id, member_id)
);
CREATE INDEX registration_member ON registration (member_id);

CREATE TABLE notification (
  id        BIGSERIAL   PRIMARY KEY,
  kind      TEXT        NOT NULL CHECK (kind IN ('ISSUANCE', 'REGISTRATION')),
  vendor_id BIGINT      NOT NULL REFERENCES vendor (id),
  member_id BIGINT,
  tokens    BIGINT      NOT NULL DEFAULT 0,
  at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX notification_vendor ON notification (vendor_id, id DESC);

-- The journal: one row per business request. request_key (actor + the client's key) makes requests
-- idempotent; the ledger transfer ids derive from the row id, so a resumed request never moves value twice.
CREATE TABLE entry (
  id                 BIGSERIAL   PRIMARY KEY,
  kind               TEXT        NOT NULL CHECK (kind IN ('ISSUE', 'SALE', 'ALLOT', 'SPEND', 'EXCHANGE', 'INFO_REQUEST')),
  request_key        TEXT        NOT NULL UNIQUE,
  status             TEXT        NOT NULL CHECK (status IN ('PENDING', 'DONE', 'DECLINED')),
  vendor_id          BIGINT      NOT NULL REFERENCES vendor (id), -- where it happened (the acting vendor)
  token_vendor_id    BIGINT      REFERENCES vendor (id),          -- whose tokens were used
  other_vendor_id    BIGINT      REFERENCES vendor (id),          -- exchange target, vendor asked about a customer
  member_id          BIGINT,
  sku                TEXT,
  tokens             BIGINT      NOT NULL DEFAULT 0,  -- tokens of token_vendor_id moved (fee included)
  credited_tokens    BIGINT      NOT NULL DEFAULT 0,  -- exchange: tokens of other_vendor_id received
  value_won          BIGINT      NOT NULL DEFAULT 0,  -- cash paid by card, or the value reimbursed
  royalty_won        BIGINT      NOT NULL DEFAULT 0,
  service_charge_won BIGINT      NOT NULL DEFAULT 0,
  toll_won           BIGINT      NOT NULL DEFAULT 0,
  fee_tokens         BIGINT      NOT NULL DEFAULT 0,
  reason             TEXT        NOT NULL DEFAULT '',
  payment_reference  TEXT,
  created_at         TIMESTAMPTZ NOT NULL
);
CREATE INDEX entry_vendor ON entry (vendor_id, id DESC);
CREATE INDEX entry_member ON entry (member_id, id DESC);

-- What an issuing vendor owes another for its tokens taken there (or exchanged into the other's tokens):
-- a ledger reservation (OWED) that is posted when paid (PAID), with the toll of the payment.
CREATE TABLE reimbursement (
  id              BIGSERIAL   PRIMARY KEY,
  entry_id        BIGINT      NOT NULL UNIQUE REFERENCES entry (id),
  payer_vendor_id BIGINT      NOT NULL REFERENCES vendor (id),
  payee_vendor_id BIGINT      NOT NULL REFERENCES vendor (id),
  amount_won      BIGINT      NOT NULL CHECK (amount_won > 0),
  pending_id      UUID        NOT NULL,
  status          TEXT        NOT NULL CHECK (status IN ('OWED', 'PAID')),
  toll_won        BIGINT      NOT NULL DEFAULT 0,
  created_at      TIMESTAMPTZ NOT NULL,
  paid_at         TIMESTAMPTZ
);
CREATE INDEX reimbursement_payer ON reimbursement (payer_vendor_id, status, id);

-- Auctions payable in the vendor's tokens; bids are ledger reservations.
CREATE TABLE auction (
  id           BIGSERIAL   PRIMARY KEY,
  vendor_id    BIGINT      NOT NULL REFERENCES vendor (id),
  request_key  TEXT        NOT NULL UNIQUE,
  title        TEXT        NOT NULL,
  starting_bid BIGINT      NOT NULL CHECK (starting_bid > 0),
  closes_at    TIMESTAMPTZ NOT NULL,
  status       TEXT        NOT NULL CHECK (status IN ('OPEN', 'CLOSING', 'SETTLED', 'UNSOLD')),
  high_bid_id  BIGINT,
  created_at   TIMESTAMPTZ NOT NULL,
  settled_at   TIMESTAMPTZ
);
CREATE INDEX auction_open ON auction (status, closes_at);

CREATE TABLE bid (
  id         BIGSERIAL   PRIMARY KEY,
  auction_id BIGINT      NOT NULL REFERENCES auction (id),
  member_id  BIGINT      NOT NULL,
  bid_key    TEXT        NOT NULL,
  amount     BIGINT      NOT NULL CHECK (amount > 0),
  pending_id UUID        NOT NULL,
  status     TEXT        NOT NULL CHECK (status IN ('HELD', 'RELEASED', 'WON', 'REFUSED')),
  placed_at  TIMESTAMPTZ NOT NULL,
  UNIQUE (auction_id, member_id, bid_key)
);
CREATE INDEX bid_auction ON bid (auction_id, id DESC);

-- One-time codes a member shows at a vendor's POS terminal (as a barcode) to pay with tokens there. Only a
-- SHA-256 of the code is stored; a code is good for one sale, at one vendor, for a few minutes.
CREATE TABLE pay_code (
  code_digest      BYTEA       PRIMARY KEY,
  member_id        BIGINT      NOT NULL,
  vendor_id        BIGINT      NOT NULL REFERENCES vendor (id),  -- where it may be used
  token_vendor_id  BIGINT      NOT NULL REFERENCES vendor (id),  -- whose tokens pay
  expires_at       TIMESTAMPTZ NOT NULL,
  used_request_key TEXT,                                          -- the POS sale that used it
  created_at       TIMESTAMPTZ NOT NULL
);
CREATE INDEX pay_code_member ON pay_code (member_id, created_at DESC);
