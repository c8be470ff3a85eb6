// What the token authorizer reads, shared with the stack that configures it. No SDK here.

/** The environment variable naming the SSM SecureString parameter that holds the token. */
export const TOKEN_PARAMETER_ENV = "TOKEN_PARAMETER_NAME";
/** The query string parameter the client sends; the authorizer's identity source names it too. */
export const TOKEN_QUERY_PARAMETER = "token";
