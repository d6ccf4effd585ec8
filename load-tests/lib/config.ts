/** Where the scripts point and with what, from `k6 run -e NAME=value` or the environment. */
export const BASE_URL = (__ENV.BASE_URL || 'http://localhost:8080').replace(/\/+$/, '');

export const ADMIN = {
  email: __ENV.ADMIN_EMAIL || 'admin@example.com',
  password: __ENV.ADMIN_PASSWORD || '',
};

/** Password of the users the scripts register for themselves. */
export const USER_PASSWORD = __ENV.USER_PASSWORD || 'load test password 1234';

/** Upper bound of the pause between two user actions, seconds (0 in the self-test). */
export const THINK_TIME = Number(__ENV.THINK_TIME ?? 1);

/** A session refreshes its access token once fewer than this many seconds of it are left. */
export const REFRESH_MARGIN = Number(__ENV.REFRESH_MARGIN ?? 30);

/** Where handleSummary writes the JSON summary (a directory, created by the caller). */
export const SUMMARY_DIR = (__ENV.SUMMARY_DIR || '.').replace(/\/+$/, '');

/** Number of virtual users at the plateau of the load profiles. */
export const VUS = Number(__ENV.VUS || 20);
