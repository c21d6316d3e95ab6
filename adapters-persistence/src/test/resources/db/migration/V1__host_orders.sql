-- A host service's own first migration, in Flyway's default location and history table: Switchboard's schema
-- (AttachedDatabaseTest) must live beside it without either seeing the other's V1.
CREATE TABLE orders (
    id     bigint PRIMARY KEY,
    amount integer NOT NULL
);
