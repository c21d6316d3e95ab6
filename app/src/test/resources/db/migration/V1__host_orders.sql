-- A host service's own first migration, in Flyway's default location and history table: the embedded server's
-- schema (EmbeddedSwitchboardTest) must live beside it without either seeing the other's V1.
CREATE TABLE orders (
    id     bigint PRIMARY KEY,
    amount integer NOT NULL
);
