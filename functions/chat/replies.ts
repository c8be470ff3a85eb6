// Posting to clients through the @connections management API of the stage.
import { ApiGatewayManagementApiClient, GoneException, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";

/** What a post found: delivered, or the connection is gone (API Gateway answered 410). */
export type PostResult = "delivered" | "gone";

export class Replies {
    constructor(private readonly client: ApiGatewayManagementApiClient) {}

    /**
     * Sends one message. A connection that closed without our $disconnect handler seeing it
     * answers 410 GoneException ("Use @connections commands in your backend service",
     * apigateway-how-to-call-websocket-api-connections.html); any other error is thrown.
     */
    async post(connectionId: string, message: unknown): Promise<PostResult> {
        try {
            await this.client.send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(JSON.stringify(message)) }));
            return "delivered";
        } catch (error) {
            if (error instanceof GoneException || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 410) {
                return "gone";
            }
            throw error;
        }
    }
}
