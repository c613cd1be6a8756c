/** Package version (kept in step with package.json by a test). */
export const PACKAGE_VERSION = '0.1.0';

/**
 * Model version: change it whenever results for the same inputs and seed can change (equations,
 * shipped data, stream order, calibration). Seeded snapshot tests are keyed by it.
 */
export const MODEL_VERSION = 'risk-3';
