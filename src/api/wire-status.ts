// LivePerson answers a failed function with HTTP 901. A Worker cannot construct a Response with a
// status outside 200-599 (workerd throws RangeError), so the Worker answers 422 and names the real
// status in a header; edgefn's front proxy (scripts/front-proxy.mjs, used by `npm start`) writes it
// back into the status line. Both 422 and 901 are outside the statuses LivePerson's client retries.
export const FUNCTION_FAILED_STATUS = 901;
export const FUNCTION_FAILED_WORKER_STATUS = 422;
export const WIRE_STATUS_HEADER = "X-Edgefn-Status";
