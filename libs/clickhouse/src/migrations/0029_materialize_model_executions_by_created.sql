-- model_executions: builds 0028's projection for parts written before it, in the background (a
-- mutation); until a part has it, reads take that part's rows from the table itself.
ALTER TABLE {db:Identifier}.model_executions
    MATERIALIZE PROJECTION executions_by_created
