// The parts of API Gateway's WebSocket Lambda events the chat functions read. AWS documents the
// shape in "Setting up WebSocket API integrations" (requestContext.connectionId, routeKey,
// eventType, domainName, stage) and the REQUEST authorizer input in "Controlling access to
// WebSocket APIs with AWS Lambda REQUEST authorizers" (methodArn, queryStringParameters).

export interface WebSocketEvent {
    readonly requestContext: {
        readonly connectionId: string;
        readonly routeKey: string;
        readonly eventType: "CONNECT" | "MESSAGE" | "DISCONNECT";
        readonly domainName?: string;
        readonly stage?: string;
        readonly requestId?: string;
        /** Set on `$connect` and later routes by a REQUEST authorizer (its principalId). */
        readonly authorizer?: { readonly principalId?: string } | null;
    };
    readonly body?: string | null;
    readonly isBase64Encoded?: boolean;
    readonly queryStringParameters?: Readonly<Record<string, string | undefined>> | null;
}

/** What an integration returns; on `$connect` a non-2xx status refuses the connection. */
export interface WebSocketResult {
    readonly statusCode: number;
    readonly body?: string;
}

export interface RequestAuthorizerEvent {
    readonly type: "REQUEST";
    /** `arn:aws:execute-api:REGION:ACCOUNT:API/STAGE/$connect`. */
    readonly methodArn: string;
    readonly queryStringParameters?: Readonly<Record<string, string | undefined>> | null;
}

export interface AuthorizerPolicy {
    readonly principalId: string;
    readonly policyDocument: {
        readonly Version: "2012-10-17";
        readonly Statement: readonly { readonly Action: "execute-api:Invoke"; readonly Effect: "Allow" | "Deny"; readonly Resource: string }[];
    };
}
