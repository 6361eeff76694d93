-- Staff who use the operator API. Passwords are Argon2id PHC strings; never stored or logged in clear.
CREATE TABLE operators (
  username      text PRIMARY KEY CHECK (username ~ '^[a-z][a-z0-9_.-]{0,31}$'),
  password_hash text NOT NULL CHECK (password_hash LIKE '$argon2id$%'),
  roles         text[] NOT NULL CHECK (roles <@ ARRAY['operator', 'shop_manager', 'vendor', 'cashier']),
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now()
);
