-- runs: which gateway claimed the run (empty until claimed) and the id of the winning claim.
ALTER TABLE {db:Identifier}.runs
    ADD COLUMN IF NOT EXISTS claimed_by String AFTER target_gateway,
    ADD COLUMN IF NOT EXISTS claim_id String AFTER claimed_by
