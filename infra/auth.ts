import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface ApiUserPoolArgs {
    readonly tags?: Record<string, string>;
}

/**
 * A Cognito user pool for the API's `cognito` auth mode, with an app client that signs users
 * in with username and password (SRP). The pool holds user accounts, so losing it is never a
 * side effect: it is protected (Pulumi refuses to replace or delete it, so a change that
 * would need a new pool fails instead of silently starting an empty one), kept on destroy
 * once unprotected, and guarded by Cognito's own deletion protection.
 */
export class ApiUserPool extends pulumi.ComponentResource {
    readonly userPoolArn: pulumi.Output<string>;
    readonly userPoolId: pulumi.Output<string>;
    readonly clientId: pulumi.Output<string>;

    constructor(name: string, args: ApiUserPoolArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hello-gateway:infra:ApiUserPool", name, {}, opts);
        const pool = new aws.cognito.UserPool(
            `${name}-pool`,
            {
                deletionProtection: "ACTIVE",
                usernameAttributes: ["email"],
                autoVerifiedAttributes: ["email"],
                mfaConfiguration: "OPTIONAL",
                softwareTokenMfaConfiguration: { enabled: true },
                passwordPolicy: {
                    minimumLength: 12,
                    requireLowercase: true,
                    requireUppercase: true,
                    requireNumbers: true,
                    requireSymbols: true,
                    temporaryPasswordValidityDays: 3,
                },
                accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
                adminCreateUserConfig: { allowAdminCreateUserOnly: true },
                tags: args.tags,
            },
            { parent: this, protect: true, retainOnDelete: true },
        );
        const client = new aws.cognito.UserPoolClient(
            `${name}-client`,
            {
                userPoolId: pool.id,
                explicitAuthFlows: ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
                generateSecret: false,
                preventUserExistenceErrors: "ENABLED",
            },
            { parent: this },
        );
        this.userPoolArn = pool.arn;
        this.userPoolId = pool.id;
        this.clientId = client.id;
        this.registerOutputs({ userPoolArn: this.userPoolArn, userPoolId: this.userPoolId, clientId: this.clientId });
    }
}
