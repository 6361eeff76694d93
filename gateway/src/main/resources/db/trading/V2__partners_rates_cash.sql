-- Partner shops (registered by operators), their signed API and the webhook outbox; pair rates; buying
-- points with money and cashing them out.

-- One point type per partner shop; the HMAC secret has to be readable to verify signatures (a hash would
-- not do), so it lives only here and in the answer to the registration.
CREATE TABLE partner (
  id          BIGSERIAL   PRIMARY KEY,
  name        TEXT        NOT NULL,
  point_type  INTEGER     NOT NULL UNIQUE,
  secret      TEXT        NOT NULL,
  webhook_url TEXT,
  active      BOOLEAN     NOT NULL DEFAULT TRUE,
  created_at  TIMESTAMPTZ NOT NULL
);

-- Nonces seen inside the timestamp window: a second request with the same nonce is a replay.
CREATE TABLE partner_nonce (
  partner_id BIGINT      NOT NULL,
  nonce      TEXT        NOT NULL,
  seen_at    TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (partner_id, nonce)
);
CREATE INDEX partner_nonce_seen ON partner_nonce (seen_at);

-- Points a shop reported issuing, once per (shop, issuance key).
CREATE TABLE partner_issuance (
  partner_id   BIGINT      NOT NULL,
  issuance_key TEXT        NOT NULL,
  member_id    BIGINT      NOT NULL,
  amount       BIGINT      NOT NULL CHECK (amount > 0),
  created_at   TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (partner_id, issuance_key)
);

-- A customer's balance as held at the shop; synced_balance is what the ledger was brought to.
CREATE TABLE partner_portfolio (
  partner_id       BIGINT      NOT NULL,
  member_id        BIGINT      NOT NULL,
  version          BIGINT      NOT NULL,
  reported_balance BIGINT      NOT NULL CHECK (reported_balance >= 0),
  synced_balance   BIGINT      NOT NULL,
  reported_at      TIMESTAMPTZ NOT NULL,
  PRIMARY KEY (partner_id, member_id)
);

-- Every result concerning a shop's points, delivered as a signed webhook until the shop answers 2xx.
CREATE TABLE outbox (
  id              BIGSERIAL   PRIMARY KEY,
  partner_id      BIGINT      NOT NULL,
  event_id        UUID        NOT NULL UNIQUE,
  event_type      TEXT        NOT NULL,
  payload         TEXT        NOT NULL,
  created_at      TIMESTAMPTZ NOT NULL,
  attempts        INTEGER     NOT NULL DEFAULT 0,
  next_attempt_at TIMESTAMPTZ NOT NULL,
  delivered_at    TIMESTAMPTZ,
  last_error      TEXT
);
CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE delivered_at IS NULL;
CREATE INDEX outbox_partner ON outbox (partner_id, id);

-- Absolute rates between two point types (units of to_type per unit of from_type, in millionths), newest last.
CREATE TABLE pair_rate_history (
  id              BIGSERIAL   PRIMARY KEY,
  from_type       INTEGER     NOT NULL,
  to_type         INTEGER     NOT NULL CHECK (to_type <> from_type),
  micros_per_unit BIGINT      NOT NULL CHECK (micros_per_unit > 0),
  set_by          TEXT        NOT NULL,
  set_at          TIMESTAMPTZ NOT NULL
);
CREATE INDEX pair_rate_history_pair ON pair_rate_history (from_type, to_type, id DESC);

-- Points bought with money and points cashed out, one row per member request key.
CREATE TABLE cash_movement (
  id           BIGSERIAL   PRIMARY KEY,
  member_id    BIGINT      NOT NULL,
  kind         TEXT        NOT NULL CHECK (kind IN ('BUY', 'CASH_OUT')),
  request_key  TEXT        NOT NULL,
  point_type   INTEGER     NOT NULL,
  points       BIGINT      NOT NULL CHECK (points > 0),
  gross_won    BIGINT      NOT NULL,
  fee_won      BIGINT      NOT NULL,
  net_won      BIGINT      NOT NULL,
  state        TEXT        NOT NULL CHECK (state IN ('PENDING', 'DONE', 'DECLINED', 'FAILED')),
  provider_ref TEXT,
  reason       TEXT,
  created_at   TIMESTAMPTZ NOT NULL,
  UNIQUE (member_id, kind, request_key)
);
CREATE INDEX cash_movement_member ON cash_movement (member_id, id DESC);

-- Won used per member, day (UTC) and kind; raised only by a conditional update, so two racing requests
-- can never both pass the limit.
CREATE TABLE daily_cash (
  member_id BIGINT NOT NULL,
  day       DATE   NOT NULL,
  kind      TEXT   NOT NULL,
  used_won  BIGINT NOT NULL,
  PRIMARY KEY (member_id, day, kind)
);
