-- The host service's own first migration, in Flyway's default location and history table; the embedded server
-- (EmbeddedServerExample) keeps its own apart.
CREATE TABLE orders (
    id     bigint PRIMARY KEY,
    amount integer NOT NULL
);
