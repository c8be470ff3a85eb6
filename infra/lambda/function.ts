// One Lambda function with everything it needs to run and nothing more: its own log group
// (created first), a role that may write only there, and the function itself. Shared by the
// REST API and the HTTP API: both integrate with `invokeArn` and grant `lambda:InvokeFunction`
// with their own source ARN (see permission.ts).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceTrustPolicy } from "../trust-policy";
import { BUNDLE_HANDLER } from "./package";
import { AWS_FUNCTION_NAME } from "./source";
import { functionTimeoutSeconds } from "./timeout";

export { MIN_INTEGRATION_TIMEOUT_MS, TIMEOUT_MARGIN_MS, functionTimeoutSeconds } from "./timeout";

/**
 * Node.js 22 on Amazon Linux 2023, the runtime esbuild targets (`node22` in package.ts). AWS's
 * runtime table (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html) gives it:
 * deprecation 30 April 2027, creating functions blocked from 1 June 2027, updating them from
 * 1 July 2027. The newest Node.js runtime there is `nodejs24.x` (deprecation 30 April 2028); moving
 * to it means changing this and the bundle's target together, before April 2027.
 */
export const DEFAULT_RUNTIME: string = aws.lambda.Runtime.NodeJS22dX;
export const DEFAULT_ARCHITECTURE = "arm64";
export const DEFAULT_MEMORY_MB = 256;

/**
 * The start of a function's log group name: `/aws/lambda/<function name>-`, then a unique suffix.
 * Not Lambda's default `/aws/lambda/<function name>`: the group outlives a destroy, and a stack
 * created again would collide with the kept group of that name (ResourceAlreadyExistsException).
 * The function writes to its group through `loggingConfig.logGroup`, whatever the name.
 * Lambda itself would create `/aws/lambda/<function name>` on the first invocation, and a custom
 * group it has to create must not start with `aws/`; this one exists before the function
 * (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-loggroups.html).
 */
export function functionLogGroupPrefix(functionName: string): string {
    return `/aws/lambda/${functionName}-`;
}

/**
 * The function role's own permissions: create streams in and write events to its log group,
 * and nothing else; with tracing, send segments and telemetry to X-Ray, whose actions have no
 * resource-level permissions (Resource must be "*"). `logGroupArn` is the group's ARN without
 * the trailing `:*` (the provider's `arn` attribute); the statement covers its streams.
 */
export function functionRolePolicy(logGroupArn: string, tracing: boolean, extraStatements: readonly Record<string, unknown>[] = []): Record<string, unknown> {
    const statements: Record<string, unknown>[] = [
        {
            Sid: "WriteOwnLogGroup",
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: `${logGroupArn}:*`,
        },
    ];
    if (tracing) {
        statements.push({
            Sid: "SendTraces",
            Effect: "Allow",
            Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords"],
            Resource: "*",
        });
    }
    return { Version: "2012-10-17", Statement: [...statements, ...extraStatements] };
}

export interface LambdaFunctionArgs {
    /**
     * The function's name in AWS, 1 to 64 letters, digits, hyphens or underscores; also names
     * its log group. Fixed rather than generated, so the log group can exist before the function.
     */
    readonly functionName: string;
    /** The deployment package: `functionArchive(bundleFunction(...))` from package.ts. */
    readonly code: pulumi.Input<pulumi.asset.Archive>;
    /** The module and export Lambda calls. Default: `index.handler`, the bundle's own. */
    readonly handler?: string;
    /**
     * How long the API Gateway integration in front of it waits, in ms: the function's timeout
     * is derived from it (`functionTimeoutSeconds`), at least a second below.
     */
    readonly integrationTimeoutMs: number;
    /** Default: `nodejs22.x` (DEFAULT_RUNTIME). */
    readonly runtime?: string;
    /** Default: `arm64`, about 20% cheaper per GB-second than x86_64 (docs/cost.md). */
    readonly architecture?: "arm64" | "x86_64";
    /** Default: 256 MB. */
    readonly memorySizeMb?: number;
    /** Retention of the function's log group, in days CloudWatch Logs accepts. */
    readonly logRetentionDays: number;
    /** A customer-managed KMS key for the log group (`LogEncryptionKey.keyArn`). Default: CloudWatch Logs' own encryption. */
    readonly logsKmsKeyArn?: pulumi.Input<string>;
    /** Active X-Ray tracing; the role may then send traces. Default: off. */
    readonly tracingEnabled?: boolean;
    /**
     * Concurrency reserved for this function (and taken from the account's unreserved pool).
     * Default: none (0 or absent), the function shares the account's pool. Lambda lets an
     * account reserve only its unreserved concurrency minus 100
     * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html), so a new
     * account, whose quota is 10, cannot reserve any until the quota is raised.
     */
    readonly reservedConcurrency?: number;
    /** Environment variables. Default: none. Never secrets: they show in the console and the plan. */
    readonly environment?: Record<string, pulumi.Input<string>>;
    /**
     * Further statements for the role, each naming its resources (a WebSocket function's table
     * and its stage's @connections). Default: none, the role may only write its own logs.
     */
    readonly policyStatements?: pulumi.Input<Record<string, unknown>[]>;
    readonly tags?: Record<string, string>;
}

/**
 * A Lambda function behind API Gateway, like CDK's `lambda.Function` with its log group: an
 * `/aws/lambda/<name>-...` group first (retention, optional KMS, kept on destroy), a role that may
 * only write there, then the function with JSON logs into that group.
 */
export class LambdaFunction extends pulumi.ComponentResource {
    /** The function's name, known before it exists. */
    readonly functionName: pulumi.Output<string>;
    readonly arn: pulumi.Output<string>;
    /** The URI an API Gateway integration invokes (`arn:aws:apigateway:<region>:lambda:path/.../invocations`). */
    readonly invokeArn: pulumi.Output<string>;
    readonly logGroupName: pulumi.Output<string>;
    readonly roleArn: pulumi.Output<string>;
    /** The function resource itself, for permissions and dependencies. */
    readonly function: aws.lambda.Function;

    constructor(name: string, args: LambdaFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hello-gateway:infra:LambdaFunction", name, {}, opts);
        checkLambdaFunctionArgs(args);
        const tags = args.tags ?? {};
        const tracing = args.tracingEnabled ?? false;

        // Created first, so the function's first invocation finds it: no group Lambda makes on
        // its own, without retention or key, ever receives this function's logs. Kept on destroy like the API's log groups, so a destroyed
        // function's logs stay readable until their retention ends.
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-logs`,
            {
                namePrefix: functionLogGroupPrefix(args.functionName),
                retentionInDays: args.logRetentionDays,
                kmsKeyId: args.logsKmsKeyArn,
                skipDestroy: true,
                tags,
            },
            { parent: this },
        );

        const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
        const role = new aws.iam.Role(
            `${name}-role`,
            {
                description: `Runs the Lambda function ${args.functionName}; may write only to its own log group`,
                assumeRolePolicy: accountId.apply((account) => JSON.stringify(serviceTrustPolicy("lambda.amazonaws.com", account))),
                tags,
            },
            { parent: this },
        );
        const rolePolicy = new aws.iam.RolePolicy(
            `${name}-role-policy`,
            {
                role: role.name,
                policy: pulumi
                    .all([logGroup.arn, pulumi.output(args.policyStatements ?? [])])
                    .apply(([arn, extra]) => JSON.stringify(functionRolePolicy(arn, tracing, extra as Record<string, unknown>[]))),
            },
            { parent: this },
        );

        const reserved = args.reservedConcurrency ?? 0;
        this.function = new aws.lambda.Function(
            `${name}-function`,
            {
                name: args.functionName,
                description: `hello-gateway function ${args.functionName}, invoked by API Gateway`,
                role: role.arn,
                code: args.code,
                handler: args.handler ?? BUNDLE_HANDLER,
                runtime: args.runtime ?? DEFAULT_RUNTIME,
                architectures: [args.architecture ?? DEFAULT_ARCHITECTURE],
                memorySize: args.memorySizeMb ?? DEFAULT_MEMORY_MB,
                timeout: functionTimeoutSeconds(args.integrationTimeoutMs),
                loggingConfig: { logFormat: "JSON", logGroup: logGroup.name },
                ...(tracing ? { tracingConfig: { mode: "Active" } } : {}),
                // Absent (the provider's -1) unless asked for: reserving fails in an account at the minimum quota.
                ...(reserved > 0 ? { reservedConcurrentExecutions: reserved } : {}),
                ...(args.environment && Object.keys(args.environment).length > 0 ? { environment: { variables: args.environment } } : {}),
                tags,
            },
            // The log group and the role's permission to write to it exist before the first invocation can log.
            { parent: this, dependsOn: [logGroup, rolePolicy] },
        );

        this.functionName = this.function.name;
        this.arn = this.function.arn;
        this.invokeArn = this.function.invokeArn;
        this.logGroupName = logGroup.name;
        this.roleArn = role.arn;
        this.registerOutputs({
            functionName: this.functionName,
            arn: this.arn,
            invokeArn: this.invokeArn,
            logGroupName: this.logGroupName,
            roleArn: this.roleArn,
        });
    }
}

/** Refuses args AWS would refuse, before anything is registered; messages name the arg. */
export function checkLambdaFunctionArgs(args: Pick<LambdaFunctionArgs, "functionName" | "integrationTimeoutMs" | "memorySizeMb" | "reservedConcurrency">): void {
    if (!AWS_FUNCTION_NAME.test(args.functionName)) {
        throw new Error(`LambdaFunction functionName ${JSON.stringify(args.functionName)}: expected 1 to 64 letters, digits, hyphens or underscores`);
    }
    functionTimeoutSeconds(args.integrationTimeoutMs);
    const memory = args.memorySizeMb ?? DEFAULT_MEMORY_MB;
    if (!Number.isInteger(memory) || memory < 128 || memory > 10_240) {
        throw new Error(`LambdaFunction memorySizeMb ${memory}: expected a whole number of MB from 128 to 10240`);
    }
    const reserved = args.reservedConcurrency ?? 0;
    if (!Number.isInteger(reserved) || reserved < 0) {
        throw new Error(`LambdaFunction reservedConcurrency ${reserved}: expected a whole number, 0 for none`);
    }
}
