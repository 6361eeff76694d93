-- Journal-first writes. A batch commits as one journal row (its whole write set, encoded by the writer:
-- transfers, account counters before and after, reservations created or closed) plus the writer row's
-- fence; that COMMIT is what makes its transfers durable and answerable. The tables of V1 (transfer,
-- account, pending) are then brought up to date from the journal by the writer's projection, on its own
-- connection, many batches in one transaction, and the projected journal rows are deleted in that same
-- transaction. After a crash the start-up projects whatever the journal still holds before taking work.

CREATE TABLE journal (
  batch_seq bigint PRIMARY KEY CHECK (batch_seq > 0),
  body      bytea  NOT NULL
);
-- the body is written once, read only after a crash, and deleted soon: compressing it is wasted CPU
ALTER TABLE journal ALTER COLUMN body SET STORAGE EXTERNAL;

-- The last batch whose write set is in transfer, account and pending (never ahead of writer.batch_seq).
CREATE TABLE projection (
  id        integer PRIMARY KEY CHECK (id = 1),
  batch_seq bigint  NOT NULL CHECK (batch_seq >= 0)
);
INSERT INTO projection SELECT 1, batch_seq FROM writer WHERE id = 1;
