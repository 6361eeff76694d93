-- Electronic gift certificates. Amounts are whole won. A certificate's value lives in the ledger (one
-- GIFT_CERTIFICATE account per certificate); these tables hold who holds what and what happened.

-- What can be bought: one row per (category, issuer, face value). Operators manage it.
CREATE TABLE item (
  id             BIGSERIAL PRIMARY KEY,
  category       TEXT        NOT NULL CHECK (category IN ('DEPARTMENT_STORE', 'BOOKS', 'CULTURE', 'GENERAL', 'TICKETS')),
  issuer         TEXT        NOT NULL,
  face_value_won BIGINT      NOT NULL CHECK (face_value_won > 0),
  description    TEXT        NOT NULL DEFAULT '',
  active         BOOLEAN     NOT NULL DEFAULT TRUE,
  UNIQUE (category, issuer, face_value_won)
);

-- The extras a gift can carry (free contents).
CREATE TABLE content (
  id    BIGSERIAL PRIMARY KEY,
  kind  TEXT NOT NULL CHECK (kind IN ('RING_TONE', 'BACKGROUND_MUSIC', 'THEME_CARD', 'CHARACTER')),
  name  TEXT NOT NULL UNIQUE
);

CREATE TABLE purchase (
  id                BIGSERIAL PRIMARY KEY,
  member_id         BIGINT      NOT NULL,
  request_key       TEXT        NOT NULL,                 -- the client's idempotency key
  item_id           BIGINT      NOT NULL REFERENCES item (id),
  sheets            INT         NOT NULL CHECK (sheets > 0),
  total_won         BIGINT      NOT NULL CHECK (total_won > 0),
  settlement        TEXT        NOT NULL CHECK (settlement IN ('PHONE_BILL', 'CARD')),
  status            TEXT        NOT NULL CHECK (status IN ('PENDING', 'PAID', 'ISSUED', 'DECLINED')),
  payment_reference TEXT,
  reason            TEXT        NOT NULL DEFAULT '',
  created_at        TIMESTAMPTZ NOT NULL,
  UNIQUE (member_id, request_key)
);
CREATE INDEX purchase_member ON purchase (member_id, id DESC);

CREATE TABLE certificate (
  id                BIGSERIAL PRIMARY KEY,
  purchase_id       BIGINT      NOT NULL REFERENCES purchase (id),
  sheet             INT         NOT NULL,
  item_id           BIGINT      NOT NULL REFERENCES item (id),
  face_value_won    BIGINT      NOT NULL CHECK (face_value_won > 0),
  code              TEXT        NOT NULL,                 -- shown to the holder (barcode); useless without the PIN
  code_digest       BYTEA       NOT NULL UNIQUE,          -- SHA-256 of the normalised code: the lookup key
  pin_hash          TEXT        NOT NULL,                 -- Argon2id PHC string
  holder_member_id  BIGINT      NOT NULL,
  status            TEXT        NOT NULL CHECK (status IN ('ACTIVE', 'GIFT_PENDING')),
  account_id        BIGINT      NOT NULL,                 -- the ledger account holding the value
  issued_at         TIMESTAMPTZ NOT NULL,
  UNIQUE (purchase_id, sheet)
);
CREATE INDEX certificate_holder ON certificate (holder_member_id, id DESC);

CREATE TABLE gift (
  id                  BIGSERIAL PRIMARY KEY,
  giver_member_id     BIGINT      NOT NULL,
  recipient_phone     TEXT        NOT NULL,                -- E.164
  message             TEXT        NOT NULL,
  content_id          BIGINT      REFERENCES content (id),
  token_digest        BYTEA       NOT NULL UNIQUE,         -- SHA-256 of the claim token; the token is only in the SMS
  status              TEXT        NOT NULL CHECK (status IN ('SENT', 'ACCEPTED', 'REJECTED')),
  recipient_member_id BIGINT,
  sms_sent            BOOLEAN     NOT NULL DEFAULT FALSE,
  created_at          TIMESTAMPTZ NOT NULL,
  decided_at          TIMESTAMPTZ
);
CREATE INDEX gift_giver ON gift (giver_member_id, id DESC);

CREATE TABLE gift_certificate (
  gift_id        BIGINT NOT NULL REFERENCES gift (id),
  certificate_id BIGINT NOT NULL REFERENCES certificate (id),
  PRIMARY KEY (gift_id, certificate_id)
);

-- Chain stores and their POS credentials. Only a SHA-256 of the API key is kept (the key has 256 random bits).
CREATE TABLE store (
  id          BIGSERIAL PRIMARY KEY,
  name        TEXT        NOT NULL,
  chain       TEXT        NOT NULL,
  key_digest  BYTEA       NOT NULL,
  active      BOOLEAN     NOT NULL DEFAULT TRUE,
  created_at  TIMESTAMPTZ NOT NULL
);

-- Approved redemptions (denials are counted by the guess limits, not stored). store_id 0: online checkout.
CREATE TABLE redemption (
  id             BIGSERIAL PRIMARY KEY,
  certificate_id BIGINT      NOT NULL REFERENCES certificate (id),
  store_id       BIGINT      NOT NULL,
  channel        TEXT        NOT NULL CHECK (channel IN ('POS', 'ONLINE')),
  transaction_id TEXT        NOT NULL,
  amount_won     BIGINT      NOT NULL CHECK (amount_won > 0),
  created_at     TIMESTAMPTZ NOT NULL,
  UNIQUE (store_id, transaction_id)
);
CREATE INDEX redemption_certificate ON redemption (certificate_id, id DESC);

INSERT INTO item (category, issuer, face_value_won, description) VALUES
  ('DEPARTMENT_STORE', 'Hanbit Department Store', 10000, 'All Hanbit department stores and outlets'),
  ('DEPARTMENT_STORE', 'Hanbit Department Store', 50000, 'All Hanbit department stores and outlets'),
  ('DEPARTMENT_STORE', 'Seoul Grand Mall', 100000, 'Seoul Grand Mall and its online shop'),
  ('BOOKS', 'Kyoro Books', 10000, 'Books, stationery and e-books at Kyoro'),
  ('BOOKS', 'Kyoro Books', 30000, 'Books, stationery and e-books at Kyoro'),
  ('CULTURE', 'Culture Pass', 5000, 'Concerts, museums, music and games'),
  ('CULTURE', 'Culture Pass', 10000, 'Concerts, museums, music and games'),
  ('GENERAL', 'Mileage Telecom', 10000, 'The operator''s certificate: accepted at every affiliated shop'),
  ('GENERAL', 'Mileage Telecom', 30000, 'The operator''s certificate: accepted at every affiliated shop'),
  ('GENERAL', 'Mileage Telecom', 50000, 'The operator''s certificate: accepted at every affiliated shop'),
  ('TICKETS', 'Star Cinema', 12000, 'One 2D film ticket, any day'),
  ('TICKETS', 'Han River Theme Park', 45000, 'One-day pass');

INSERT INTO content (kind, name) VALUES
  ('RING_TONE', 'Spring Breeze (ring tone)'),
  ('RING_TONE', 'Morning Bell (ring tone)'),
  ('BACKGROUND_MUSIC', 'Happy Birthday piano (background music)'),
  ('BACKGROUND_MUSIC', 'Thank You strings (background music)'),
  ('THEME_CARD', 'Birthday cake card'),
  ('THEME_CARD', 'Thank you flowers card'),
  ('CHARACTER', 'Mileage bear'),
  ('CHARACTER', 'Signal rabbit');
