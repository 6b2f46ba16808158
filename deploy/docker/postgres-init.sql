-- Runs once, when the postgres container initialises an empty data volume
-- (POSTGRES_USER/POSTGRES_DB already created the atelier role and database).
CREATE DATABASE atelier_test OWNER atelier;
