-- Metering: tariffs, open-session checkpoints (for crash recovery) and usage records (CDRs).

CREATE TABLE tariff_version (
  id      int    PRIMARY KEY CHECK (id = 1),
  version bigint NOT NULL
);
INSERT INTO tariff_version VALUES (1, 0);

-- Call tariffs by E.164 prefix (digits without '+'); a blocked prefix has no price.
CREATE TABLE call_rates (
  prefix                       text    PRIMARY KEY CHECK (prefix ~ '^[0-9]{1,15}$'),
  label                        text    NOT NULL CHECK (length(label) <= 64),
  blocked                      boolean NOT NULL,
  points_per_minute            bigint  CHECK (points_per_minute >= 0),
  initial_increment_seconds    int     CHECK (initial_increment_seconds > 0),
  subsequent_increment_seconds int     CHECK (subsequent_increment_seconds > 0),
  minimum_charge_points        bigint  CHECK (minimum_charge_points >= 0),
  point_types                  int[],
  CHECK (blocked = (points_per_minute IS NULL))
);

CREATE TABLE stream_rates (
  kind                         text   PRIMARY KEY CHECK (kind IN ('VIDEO', 'MUSIC', 'VOICE', 'SOFTWARE', 'DATABASE')),
  label                        text   NOT NULL CHECK (length(label) <= 64),
  points_per_minute            bigint NOT NULL CHECK (points_per_minute >= 0),
  initial_increment_seconds    int    NOT NULL CHECK (initial_increment_seconds > 0),
  subsequent_increment_seconds int    NOT NULL CHECK (subsequent_increment_seconds > 0),
  minimum_charge_points        bigint NOT NULL CHECK (minimum_charge_points >= 0),
  point_types                  int[]  NOT NULL
);

-- One row per open session, replaced before every reservation and settlement the meter sends.
CREATE TABLE checkpoints (
  session_id uuid        PRIMARY KEY,
  owner      text        NOT NULL,
  body       jsonb       NOT NULL,
  updated_at timestamptz NOT NULL
);

CREATE TABLE usage_records (
  session_id       uuid        PRIMARY KEY,
  owner            text        NOT NULL,
  service          text        NOT NULL CHECK (service IN ('CALL', 'STREAM')),
  destination      text        NOT NULL,
  content_kind     text,
  content_id       text        NOT NULL,
  reference        text        NOT NULL,
  rated            text        NOT NULL,
  point_type       int         NOT NULL,
  tariff           jsonb       NOT NULL,
  authorized_at    timestamptz NOT NULL,
  answered_at      timestamptz,
  ended_at         timestamptz NOT NULL,
  duration_seconds bigint      NOT NULL CHECK (duration_seconds >= 0),
  used_seconds     bigint      NOT NULL CHECK (used_seconds >= 0),
  billed_seconds   bigint      NOT NULL CHECK (billed_seconds >= used_seconds),
  points           bigint      NOT NULL CHECK (points >= 0),
  reason           text        NOT NULL
);
CREATE INDEX usage_records_by_owner ON usage_records (owner, ended_at DESC);
CREATE INDEX usage_records_by_time ON usage_records (ended_at DESC);
