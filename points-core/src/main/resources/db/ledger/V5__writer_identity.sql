-- Which ledger instance wrote the last batch. One writer holds the database's writer lease (a session advisory
-- lock on its connection) at a time; a writer that lost its connection asks the row, after a failure, whether its
-- own batches committed, and the batch number alone cannot tell its batch N from another writer's batch N.
ALTER TABLE writer ADD COLUMN writer_id uuid;
