-- runs: builds 0032's index for parts written before it, in the background (a mutation); a part
-- without it is read whole, as before.
ALTER TABLE {db:Identifier}.runs
    MATERIALIZE INDEX idx_kafka_offset
