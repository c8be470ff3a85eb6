import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CONNECTION_KEY, EXPIRY_ATTRIBUTE } from "../functions/chat/table-schema";

export interface ConnectionsTableArgs {
    readonly tags?: Record<string, string>;
}

/**
 * The open connections of a WebSocket API, one item per connection id.
 *
 * - On demand: a chat room's traffic is bursty and mostly idle.
 * - Encrypted with the AWS managed key `aws/dynamodb` (`serverSideEncryption.enabled` without a
 *   key ARN): key use shows in CloudTrail, no key to administer, and no key policy to widen for
 *   the functions (DynamoDB uses the key on their behalf).
 * - Point-in-time recovery on.
 * - TTL on `expiresAt`, which `$connect` sets to API Gateway's 2-hour connection limit, so the
 *   connections whose `$disconnect` never arrived expire.
 * - No `retainOnDelete` and no deletion protection: it holds session state only, worthless once
 *   the API that owns the connections is gone, and a destroy must not leave it behind.
 */
export class ConnectionsTable extends pulumi.ComponentResource {
    readonly tableName: pulumi.Output<string>;
    readonly tableArn: pulumi.Output<string>;

    constructor(name: string, args: ConnectionsTableArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hello-gateway:infra:ConnectionsTable", name, {}, opts);
        const table = new aws.dynamodb.Table(
            `${name}-connections`,
            {
                billingMode: "PAY_PER_REQUEST",
                hashKey: CONNECTION_KEY,
                attributes: [{ name: CONNECTION_KEY, type: "S" }],
                ttl: { attributeName: EXPIRY_ATTRIBUTE, enabled: true },
                pointInTimeRecovery: { enabled: true },
                serverSideEncryption: { enabled: true },
                tags: args.tags ?? {},
            },
            { parent: this },
        );
        this.tableName = table.name;
        this.tableArn = table.arn;
        this.registerOutputs({ tableName: this.tableName, tableArn: this.tableArn });
    }
}
