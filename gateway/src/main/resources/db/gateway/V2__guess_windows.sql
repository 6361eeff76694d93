-- The counters of failed guesses (passwords, PINs, codes, signatures) of the limiters that must survive a
-- restart, so that restarting the gateway never hands a guesser a fresh allowance. Keys (login ids, phone
-- numbers, addresses, codes) are stored only as SHA-256 digests of limiter name and key.
CREATE TABLE guess_window (
  limiter      text        NOT NULL CHECK (limiter ~ '^[a-z][a-z0-9_.]{0,63}$'),
  key_hash     bytea       NOT NULL CHECK (length(key_hash) = 32),
  window_start timestamptz NOT NULL,
  failures     integer     NOT NULL CHECK (failures > 0),
  PRIMARY KEY (limiter, key_hash)
);
CREATE INDEX guess_window_start ON guess_window (window_start);
