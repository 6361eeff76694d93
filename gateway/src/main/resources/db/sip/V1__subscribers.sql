-- SIP subscribers: a member's phone credentials. Only digest HA1s are kept (RFC 3261 / RFC 8760), never
-- the password; they depend on the realm, kept beside them so a realm change is detectable.
CREATE TABLE subscriber (
  username     text PRIMARY KEY CHECK (username ~ '^[A-Za-z0-9._-]{1,64}$'),
  owner        text NOT NULL CHECK (length(owner) BETWEEN 3 AND 128),
  realm        text NOT NULL,
  ha1_md5      text NOT NULL CHECK (length(ha1_md5) = 32),
  ha1_sha256   text NOT NULL CHECK (length(ha1_sha256) = 64),
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL
);
CREATE INDEX subscriber_owner ON subscriber (owner);
