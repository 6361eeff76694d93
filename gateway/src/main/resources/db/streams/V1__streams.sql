-- Metered streams: the content catalog. The media files live under <data dir>/streams/media; what was
-- played and what it cost are the meter's usage records (metering.usage_record, content_id = item id).
CREATE TABLE item (
  id               BIGSERIAL   PRIMARY KEY,
  kind             TEXT        NOT NULL CHECK (kind IN ('VIDEO', 'MUSIC', 'VOICE', 'SOFTWARE', 'DATABASE')),
  title            TEXT        NOT NULL CHECK (length(title) BETWEEN 1 AND 120),
  description      TEXT        NOT NULL DEFAULT '' CHECK (length(description) <= 2000),
  content_type     TEXT        NOT NULL,
  -- playing time of video, music and voice; null for software and databases
  duration_seconds INT         CHECK (duration_seconds > 0),
  size_bytes       BIGINT      NOT NULL DEFAULT 0 CHECK (size_bytes >= 0),
  -- bytes a player needs before the first second of media (container headers)
  header_bytes     BIGINT      NOT NULL DEFAULT 0 CHECK (header_bytes >= 0),
  file_name        TEXT,
  sha256           TEXT,
  status           TEXT        NOT NULL CHECK (status IN ('DRAFT', 'READY', 'RETIRED')),
  demo_key         TEXT        UNIQUE,
  created_at       TIMESTAMPTZ NOT NULL,
  updated_at       TIMESTAMPTZ NOT NULL,
  CHECK (status <> 'READY' OR file_name IS NOT NULL)
);
CREATE INDEX item_kind ON item (kind, id) WHERE status = 'READY';
