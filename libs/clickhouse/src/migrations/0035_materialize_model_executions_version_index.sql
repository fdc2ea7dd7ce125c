-- model_executions: builds 0034's index for parts written before it, in the background (a
-- mutation); a part without it is read whole, as before.
ALTER TABLE {db:Identifier}.model_executions
    MATERIALIZE INDEX idx_version
