/**
 * PostgreSQL SQLSTATE codes the services react to (https://www.postgresql.org/docs/current/errcodes-appendix.html).
 * A constraint is the only race-free check: two requests racing on a unique key both pass a
 * read-then-insert, and one of them gets UNIQUE_VIOLATION.
 */
export const UNIQUE_VIOLATION = '23505';
export const FOREIGN_KEY_VIOLATION = '23503';
