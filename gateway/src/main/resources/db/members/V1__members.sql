-- Members of the shop. Personal data (name, phone, address, occupation) lives only here and is never logged.
CREATE TABLE member (
  id                BIGSERIAL PRIMARY KEY,
  login_id          TEXT        NOT NULL UNIQUE,         -- stored lower-case
  password_hash     TEXT        NOT NULL,                -- PHC string, Argon2id
  name              TEXT        NOT NULL,
  phone             TEXT        NOT NULL,                -- E.164
  address           TEXT        NOT NULL,
  occupation        TEXT,
  phone_verified_at TIMESTAMPTZ,
  created_at        TIMESTAMPTZ NOT NULL
);
-- one verified member per phone number: the sign-up bonus cannot be farmed with one SIM
CREATE UNIQUE INDEX member_verified_phone ON member (phone) WHERE phone_verified_at IS NOT NULL;

-- Server-side sessions. Only a SHA-256 of the cookie value is stored, so a database read does not yield sessions.
CREATE TABLE session (
  token_hash   BYTEA       PRIMARY KEY,
  member_id    BIGINT      NOT NULL REFERENCES member (id) ON DELETE CASCADE,
  csrf_token   TEXT        NOT NULL,
  created_at   TIMESTAMPTZ NOT NULL,
  last_seen_at TIMESTAMPTZ NOT NULL,
  expires_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX session_member ON session (member_id);

-- The pending phone verification code of a member (hashed), with its attempt counter.
CREATE TABLE phone_verification (
  member_id  BIGINT      PRIMARY KEY REFERENCES member (id) ON DELETE CASCADE,
  code_hash  BYTEA       NOT NULL,
  sent_at    TIMESTAMPTZ NOT NULL,
  expires_at TIMESTAMPTZ NOT NULL,
  attempts   INT         NOT NULL DEFAULT 0
);
