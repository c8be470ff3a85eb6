import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface LogEncryptionKeyArgs {
    /** The region of the log groups: CloudWatch Logs' service principal is regional. */
    readonly region: string;
    readonly tags?: Record<string, string>;
}

/**
 * The key policy of a log encryption key: the account administers the key, and CloudWatch Logs
 * may use it only for log groups of this account in this region (the encryption context names
 * the log group's ARN), so no other account's logs can be encrypted with it.
 */
export function logEncryptionKeyPolicy(accountId: string, region: string, partition = "aws"): Record<string, unknown> {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                // Without this statement IAM policies could not grant anyone access to the key.
                Sid: "AccountAdministersKey",
                Effect: "Allow",
                Principal: { AWS: `arn:${partition}:iam::${accountId}:root` },
                Action: "kms:*",
                Resource: "*",
            },
            {
                Sid: "CloudWatchLogsOfThisAccount",
                Effect: "Allow",
                Principal: { Service: `logs.${region}.amazonaws.com` },
                Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                Resource: "*",
                Condition: {
                    ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${partition}:logs:${region}:${accountId}:log-group:*` },
                },
            },
        ],
    };
}

/**
 * A customer-managed KMS key for a layer's log groups (`encryptLogs`). Pass `keyArn` as a log
 * group's `kmsKeyId`: it resolves only once the key policy is in place, because CloudWatch Logs
 * refuses a key it may not use yet.
 */
export class LogEncryptionKey extends pulumi.ComponentResource {
    readonly keyArn: pulumi.Output<string>;

    constructor(name: string, args: LogEncryptionKeyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hello-gateway:infra:LogEncryptionKey", name, {}, opts);
        const key = new aws.kms.Key(
            `${name}-logs-key`,
            {
                description: `${name}: encrypts the stack's CloudWatch log groups`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                tags: args.tags ?? {},
            },
            // Log groups outlive the stack (skipDestroy); their key must too, or they become unreadable.
            { parent: this, retainOnDelete: true },
        );
        // The account ID comes from the key's own ARN: no account lookup, no invoke.
        const policy = new aws.kms.KeyPolicy(
            `${name}-logs-key-policy`,
            {
                keyId: key.id,
                policy: key.arn.apply((arn) => {
                    const [, partition, , , accountId] = arn.split(":");
                    return JSON.stringify(logEncryptionKeyPolicy(accountId, args.region, partition));
                }),
            },
            { parent: this, retainOnDelete: true },
        );
        this.keyArn = pulumi.all([key.arn, policy.id]).apply(([arn]) => arn);
        this.registerOutputs({ keyArn: this.keyArn });
    }
}
