// The clients a deployed chat function uses, built once per Lambda container from the
// environment the stack sets. Specs build the same objects around clients pointed at moto.
import { ApiGatewayManagementApiClient } from "@aws-sdk/client-apigatewaymanagementapi";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { ConnectionStore } from "./connections";
import { Replies } from "./replies";
import { ENV } from "./runtime-env";

export { ENV };

export interface ChatRuntime {
    readonly connections: ConnectionStore;
    readonly replies: Replies;
    readonly actions: readonly string[];
    /** Epoch seconds. */
    readonly now: () => number;
}

function required(name: string): string {
    const value = process.env[name];
    if (value === undefined || value === "") {
        throw new Error(`${name} is not set: the stack sets it on every chat function`);
    }
    return value;
}

let cached: ChatRuntime | undefined;

/** The container's runtime; created on first use so a cold start pays for it once. */
export function chatRuntime(): ChatRuntime {
    cached ??= {
        connections: new ConnectionStore(required(ENV.table), new DynamoDBClient({})),
        replies: new Replies(new ApiGatewayManagementApiClient({ endpoint: required(ENV.callbackUrl) })),
        actions: (process.env[ENV.actions] ?? "").split(",").filter((key) => key !== ""),
        now: () => Math.floor(Date.now() / 1000),
    };
    return cached;
}
