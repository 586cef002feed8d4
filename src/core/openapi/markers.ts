/**
 * Extensions that documentation decorators put on an operation for buildOpenApiDocument to act
 * on; it removes them, so they never reach the published document.
 */

/** A public operation: `security: []` instead of the global bearer requirement. */
export const OPENAPI_PUBLIC = 'x-public';

/** An operation whose success response carries the record's version as `ETag`. */
export const OPENAPI_ETAG = 'x-etag';

/** A creating operation whose 201 carries `Location`; the value is the URL template. */
export const OPENAPI_LOCATION = 'x-location';

/** An operation an account that must set up two-factor authentication may use before it has (MFA_REQUIRED_ROLES). */
export const OPENAPI_BEFORE_MFA = 'x-before-mfa';
