/**
 * The names a fresh controller is built around: the tenant whose objects every tenant shares,
 * and the user that always exists (the superuser whose password is printed at start).
 */

/** The admin tenant (`tenant_ref` of shared objects; the tenant a request without one uses). */
export const ADMIN_TENANT = 'admin';

/** The built-in superuser's user name. */
export const ADMIN_USER = 'admin';
