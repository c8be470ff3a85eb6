import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface HttpJwtAuthorizerArgs {
    readonly name: string;
    readonly apiId: pulumi.Input<string>;
    /** The token issuer's https URL, exactly as tokens spell `iss`. */
    readonly issuer: pulumi.Input<string>;
    /** Accepted audiences: `aud`, or a Cognito access token's `client_id`. */
    readonly audience: pulumi.Input<pulumi.Input<string>[]>;
    readonly parent: pulumi.Resource;
}

/** The issuer of a Cognito user pool's tokens, from the pool's ARN or its region and id. */
export function cognitoIssuer(region: string, userPoolId: string): string {
    return `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`;
}

/** `arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_AbC` to `us-east-1_AbC`. */
export function userPoolIdOf(userPoolArn: string): string {
    return userPoolArn.slice(userPoolArn.lastIndexOf("/") + 1);
}

/**
 * An HTTP API's native JWT authorizer, like CDK's `HttpJwtAuthorizer`: API Gateway fetches the
 * issuer's keys, checks the signature, `exp`/`nbf`, `iss` and `aud` (or `client_id`) of the
 * bearer token in the Authorization header, and refuses anything else with 401.
 */
export class HttpJwtAuthorizer {
    readonly authorizer: aws.apigatewayv2.Authorizer;

    constructor(args: HttpJwtAuthorizerArgs) {
        this.authorizer = new aws.apigatewayv2.Authorizer(
            `${args.name}-jwt`,
            {
                apiId: args.apiId,
                authorizerType: "JWT",
                name: `${args.name}-jwt`,
                identitySources: ["$request.header.Authorization"],
                jwtConfiguration: { issuer: args.issuer, audiences: args.audience },
            },
            { parent: args.parent },
        );
    }
}
