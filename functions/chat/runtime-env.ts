// The environment variables the stack sets on the chat functions. No SDK here: the Pulumi
// program imports it.
export const ENV = {
    /** The connections table's name. */
    table: "CONNECTIONS_TABLE",
    /** The stage's management endpoint, `https://API.execute-api.REGION.amazonaws.com/STAGE`. */
    callbackUrl: "CALLBACK_URL",
    /** The API's action route keys, comma-separated, for the usage help. */
    actions: "ACTION_ROUTE_KEYS",
} as const;
