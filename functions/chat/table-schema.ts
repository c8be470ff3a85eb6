// The connections table's shape, shared by the functions and the infrastructure that creates
// the table. No SDK here: the Pulumi program imports it.

/** The partition key: API Gateway's connection id. */
export const CONNECTION_KEY = "connectionId";
/** Epoch seconds after which DynamoDB's TTL deletes the item. */
export const EXPIRY_ATTRIBUTE = "expiresAt";

/**
 * API Gateway closes every WebSocket connection after 2 hours ("Connection duration for
 * WebSocket API: 2 hours", Quotas for configuring and running a WebSocket API,
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-execution-service-websocket-limits-table.html),
 * so no item needs to outlive that.
 */
export const MAX_CONNECTION_SECONDS = 2 * 60 * 60;
