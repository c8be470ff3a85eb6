// The function behind `"GET /greet -> lambda:hello"`: plain TypeScript with nothing from Pulumi,
// bundled by infra/lambda/package.ts. One handler serves both event formats API Gateway sends:
// a REST API's proxy integration (payload format 1.0) and an HTTP API's (payload format 2.0).
import type {
    APIGatewayProxyEvent,
    APIGatewayProxyEventV2WithRequestContext,
    APIGatewayProxyResult,
    APIGatewayEventRequestContextV2,
    APIGatewayEventRequestContextIAMAuthorizer,
    APIGatewayEventRequestContextJWTAuthorizer,
} from "aws-lambda";

/** What the function answers with, whatever the caller. */
export const GREETING = "Hello from Lambda via API Gateway";

/** An HTTP API event: a JWT or an IAM authorizer, or none. */
export type HttpApiEvent = APIGatewayProxyEventV2WithRequestContext<
    APIGatewayEventRequestContextV2 & { authorizer?: Partial<APIGatewayEventRequestContextJWTAuthorizer & APIGatewayEventRequestContextIAMAuthorizer> }
>;
export type RestApiEvent = APIGatewayProxyEvent;

/** Who called, as API Gateway vouched for it; absent for an anonymous call. */
export interface CallerIdentity {
    /** The IAM user or role ARN of a SigV4-signed call (`authMode: iam`). */
    readonly userArn?: string;
    /** The `sub` claim of a Cognito or JWT token. */
    readonly sub?: string;
}

/** The JSON body of every answer. */
export interface GreetingBody {
    readonly message: string;
    /** API Gateway's request id: the `requestId` of the stage's access log line for this call. */
    readonly requestId: string;
    /** `rest` (payload 1.0) or `http` (payload 2.0): which kind of API called. */
    readonly apiType: "rest" | "http";
    readonly caller?: CallerIdentity;
}

function isHttpApiEvent(event: RestApiEvent | HttpApiEvent): event is HttpApiEvent {
    return (event as HttpApiEvent).version === "2.0";
}

/** Drops empty values, so an anonymous call carries no `caller` at all. */
function identity(userArn: string | null | undefined, sub: string | null | undefined): CallerIdentity | undefined {
    const found: { userArn?: string; sub?: string } = {};
    if (userArn) {
        found.userArn = userArn;
    }
    if (sub) {
        found.sub = sub;
    }
    return Object.keys(found).length > 0 ? found : undefined;
}

/** The caller of a REST API call: IAM (`identity.userArn`) or a Cognito authorizer's claims. */
function restCaller(event: RestApiEvent): CallerIdentity | undefined {
    const claims = (event.requestContext.authorizer as { claims?: Record<string, string> } | null | undefined)?.claims;
    return identity(event.requestContext.identity?.userArn, claims?.sub);
}

/** The caller of an HTTP API call: an IAM authorizer's `iam.userArn` or a JWT authorizer's claims. */
function httpCaller(event: HttpApiEvent): CallerIdentity | undefined {
    const authorizer = event.requestContext.authorizer;
    const sub = authorizer?.jwt?.claims?.sub;
    return identity(authorizer?.iam?.userArn, sub === undefined ? undefined : String(sub));
}

/** The Lambda entry point (`index.handler` in the bundle). */
export async function handler(event: RestApiEvent | HttpApiEvent): Promise<APIGatewayProxyResult> {
    const http = isHttpApiEvent(event);
    const caller = http ? httpCaller(event) : restCaller(event);
    const body: GreetingBody = {
        message: GREETING,
        requestId: event.requestContext.requestId,
        apiType: http ? "http" : "rest",
        ...(caller ? { caller } : {}),
    };
    // The same shape answers both formats: payload 2.0 also takes statusCode, headers and body.
    return {
        statusCode: 200,
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
    };
}
