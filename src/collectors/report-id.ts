/** The posture report's `schema` value (a contract): in a module of its own so that writing a report loads no schema library. */
export const REPORT_SCHEMA = 'posture-report/v1';
