// The $connect REQUEST authorizer: browsers cannot set headers on a WebSocket handshake, so the
// client passes `?token=...`; it is compared with an SSM SecureString parameter the operator
// owns (the stack holds only its name). The token is never logged.
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { createHash, timingSafeEqual } from "node:crypto";
import type { AuthorizerPolicy, RequestAuthorizerEvent } from "./events";
import { TOKEN_PARAMETER_ENV, TOKEN_QUERY_PARAMETER } from "./token-env";

export { TOKEN_PARAMETER_ENV, TOKEN_QUERY_PARAMETER };
/** How long a container trusts the parameter it read: a rotated token takes effect within this. */
export const TOKEN_CACHE_MS = 5 * 60 * 1000;

export class TokenSource {
    private cached: { value: string; readAt: number } | undefined;

    constructor(
        private readonly ssm: SSMClient,
        private readonly parameterName: string,
        private readonly clock: () => number = Date.now,
    ) {}

    async expected(): Promise<string> {
        if (this.cached === undefined || this.clock() - this.cached.readAt > TOKEN_CACHE_MS) {
            const result = await this.ssm.send(new GetParameterCommand({ Name: this.parameterName, WithDecryption: true }));
            const value = result.Parameter?.Value;
            if (value === undefined || value === "") {
                throw new Error(`SSM parameter ${this.parameterName} is empty`);
            }
            this.cached = { value, readAt: this.clock() };
        }
        return this.cached.value;
    }
}

/** Compares digests, so neither the time taken nor a length difference tells anything. */
export function tokensMatch(given: string, expected: string): boolean {
    const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();
    return timingSafeEqual(digest(given), digest(expected));
}

function policy(effect: "Allow" | "Deny", resource: string): AuthorizerPolicy {
    return {
        principalId: "chat-client",
        policyDocument: { Version: "2012-10-17", Statement: [{ Action: "execute-api:Invoke", Effect: effect, Resource: resource }] },
    };
}

export async function authorize(event: RequestAuthorizerEvent, tokens: TokenSource): Promise<AuthorizerPolicy> {
    const given = event.queryStringParameters?.[TOKEN_QUERY_PARAMETER];
    const allowed = given !== undefined && given !== "" && tokensMatch(given, await tokens.expected());
    return policy(allowed ? "Allow" : "Deny", event.methodArn);
}

let source: TokenSource | undefined;

export const handler = (event: RequestAuthorizerEvent): Promise<AuthorizerPolicy> => {
    const name = process.env[TOKEN_PARAMETER_ENV];
    if (name === undefined || name === "") {
        throw new Error(`${TOKEN_PARAMETER_ENV} is not set: the stack sets it on the authorizer`);
    }
    source ??= new TokenSource(new SSMClient({}), name);
    return authorize(event, source);
};
