import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { resourceLabel } from "../api-resource-tree";
import type { ThrottleConfig } from "../config/types";
import type { RouteDefinition, RouteThrottle } from "../routes";
import { HttpJwtAuthorizer } from "./authorizer";
import { HttpAuthorization, HttpBackend, HttpRouteSpec, httpRouteSpecs } from "./route-spec";
import { HttpStage } from "./stage";

export * from "./route-spec";
export * from "./stage";
export * from "./authorizer";

/** Who may call an HTTP API. */
export type HttpApiAuth =
    | { readonly mode: "none" }
    | { readonly mode: "iam" }
    /** A JWT authorizer: the `jwt` mode's issuer, or a Cognito pool's. */
    | { readonly mode: "jwt"; readonly issuer: pulumi.Input<string>; readonly audience: pulumi.Input<pulumi.Input<string>[]> };

/** Where the routes go: a public https URL, or the private origin's listener through a VPC link. */
export type HttpGatewayBackend =
    | { readonly kind: "url"; readonly baseUrl: string }
    | {
          readonly kind: "vpcLink";
          /** The origin NLB's listener only the VPC link reaches (the origin's `originNlbListenerArn`). */
          readonly listenerArn: pulumi.Input<string>;
          /** Subnets for the VPC link's network interfaces, in the origin's VPC. */
          readonly subnetIds: pulumi.Input<pulumi.Input<string>[]>;
          /** The group the origin's NLB admits on that listener's port. */
          readonly securityGroupId: pulumi.Input<string>;
      };

export interface HttpGatewayArgs {
    readonly region: string;
    readonly backend: HttpGatewayBackend;
    /** The route table, the same one a REST API serves. */
    readonly routes: readonly RouteDefinition[];
    /** Per-route throttles below the stage's. Default: none. */
    readonly routeThrottles?: readonly RouteThrottle[];
    /** A stage name, or `$default` (served at the root of the API's URL). */
    readonly stageName: string;
    readonly throttle: ThrottleConfig;
    readonly integrationTimeoutMs: number;
    readonly logRetentionDays: number;
    /** Default: anyone (`none`). */
    readonly auth?: HttpApiAuth;
    /** Browser origins the API answers CORS for. Default: none (no CORS headers). */
    readonly corsAllowOrigins?: readonly string[];
    /** Turn off the execute-api endpoint (a custom domain serves the API). Default: false. */
    readonly disableExecuteApiEndpoint?: boolean;
    /** A customer-managed KMS key for the access log group. Default: CloudWatch Logs' own encryption. */
    readonly logsKmsKeyArn?: pulumi.Input<string>;
    /** What the description says the API proxies to. Default: `the EC2 origin`. */
    readonly originDescription?: string;
    readonly tags?: Record<string, string>;
}

/** Headers a browser may send on a cross-origin call: the bearer token and a JSON body. */
export const CORS_ALLOW_HEADERS = ["authorization", "content-type"] as const;
/** How long a browser may cache a preflight answer, in seconds. */
export const CORS_MAX_AGE_SECONDS = 300;

/** The methods a CORS answer allows: those of the routes, ANY as every method. */
export function corsAllowMethods(routes: readonly RouteDefinition[]): string[] {
    const methods = new Set(routes.map((route) => route.method));
    return methods.has("ANY") ? ["*"] : [...methods].sort();
}

export function httpAuthorization(mode: HttpApiAuth["mode"]): HttpAuthorization {
    return mode === "iam" ? "AWS_IAM" : mode === "jwt" ? "JWT" : "NONE";
}

/** The stage's base URL: `$default` is served at the API's root. */
export function httpStageUrl(apiEndpoint: string, stageName: string): string {
    return stageName === "$default" ? apiEndpoint : `${apiEndpoint}/${stageName}`;
}

/**
 * An HTTP API (API Gateway v2) that serves the project's route table, the counterpart of the
 * REST API's HelloApi, composed like CDK's aws-apigatewayv2: the API (with CORS), a JWT
 * authorizer, one `HttpApiRoute` per route (route + HTTP_PROXY integration), the VPC link to
 * the private origin, and an auto-deploying `HttpStage`.
 */
export class HttpGateway extends pulumi.ComponentResource {
    readonly apiId: pulumi.Output<string>;
    readonly apiEndpoint: pulumi.Output<string>;
    readonly executionArn: pulumi.Output<string>;
    readonly stageName: pulumi.Output<string>;
    /** The stage's base URL without a trailing slash; every route's path appends to it. */
    readonly stageUrl: pulumi.Output<string>;
    readonly accessLogGroupName: pulumi.Output<string>;
    /** The VPC link to the private origin, when the backend is one. */
    readonly vpcLinkId?: pulumi.Output<string>;
    /** The routes and integrations the stage serves. */
    readonly routeResources: pulumi.Resource[];

    constructor(name: string, args: HttpGatewayArgs, opts?: pulumi.ComponentResourceOptions) {
        super("hello-gateway:infra:HttpGateway", name, {}, opts);
        const tags = args.tags ?? {};
        const auth: HttpApiAuth = args.auth ?? { mode: "none" };
        const origins = args.corsAllowOrigins ?? [];

        const api = new aws.apigatewayv2.Api(
            `${name}-api`,
            {
                name,
                protocolType: "HTTP",
                description: `hello-gateway HTTP API: ${args.routes.length} route(s) proxied to ${args.originDescription ?? "the EC2 origin"}`,
                disableExecuteApiEndpoint: args.disableExecuteApiEndpoint ?? false,
                ...(origins.length > 0
                    ? {
                          // API Gateway answers the preflight itself and adds the headers to every response.
                          corsConfiguration: {
                              allowOrigins: [...origins],
                              allowMethods: corsAllowMethods(args.routes),
                              allowHeaders: [...CORS_ALLOW_HEADERS],
                              maxAge: CORS_MAX_AGE_SECONDS,
                          },
                      }
                    : {}),
                tags,
            },
            { parent: this },
        );

        const authorizer =
            auth.mode === "jwt" ? new HttpJwtAuthorizer({ name, apiId: api.id, issuer: auth.issuer, audience: auth.audience, parent: this }).authorizer : undefined;

        const vpcLink =
            args.backend.kind === "vpcLink"
                ? new aws.apigatewayv2.VpcLink(
                      `${name}-origin-link`,
                      {
                          name: `${name}-origin`,
                          subnetIds: args.backend.subnetIds,
                          securityGroupIds: [args.backend.securityGroupId],
                          tags,
                      },
                      { parent: this },
                  )
                : undefined;
        const backend: HttpBackend<pulumi.Input<string>> =
            args.backend.kind === "url" ? args.backend : { kind: "vpcLink", listenerArn: args.backend.listenerArn, vpcLinkId: vpcLink!.id };

        const specs = httpRouteSpecs({ backend, authorizerId: authorizer?.id }, {
            routes: args.routes,
            authorization: httpAuthorization(auth.mode),
            integrationTimeoutMs: args.integrationTimeoutMs,
        });
        const routes = specs.map((spec) => new HttpApiRoute({ apiId: api.id, spec, namePrefix: name, parent: this }));
        this.routeResources = routes.flatMap((route) => [route.route, route.integration]);

        const { stage, accessLogGroup } = new HttpStage({
            name,
            apiId: api.id,
            stageName: args.stageName,
            throttle: args.throttle,
            routeThrottles: args.routeThrottles ?? [],
            routeResources: this.routeResources,
            logRetentionDays: args.logRetentionDays,
            logsKmsKeyArn: args.logsKmsKeyArn,
            tags,
            parent: this,
        });

        this.apiId = api.id;
        this.apiEndpoint = api.apiEndpoint;
        this.executionArn = api.executionArn;
        this.stageName = stage.name;
        this.stageUrl = pulumi.all([api.apiEndpoint, stage.name]).apply(([endpoint, stageName]) => httpStageUrl(endpoint, stageName));
        this.accessLogGroupName = accessLogGroup.name;
        this.vpcLinkId = vpcLink?.id;
        this.registerOutputs({
            apiId: this.apiId,
            apiEndpoint: this.apiEndpoint,
            executionArn: this.executionArn,
            stageName: this.stageName,
            stageUrl: this.stageUrl,
            accessLogGroupName: this.accessLogGroupName,
            vpcLinkId: this.vpcLinkId,
        });
    }
}

/** A route's logical-name part, as the REST API names its methods: `orders/{id}-get`, `root-get`. */
export function httpRouteLabel(routeKey: string): string {
    const [method, path] = routeKey.split(" ");
    return `${resourceLabel(path)}-${method.toLowerCase()}`;
}

export interface HttpApiRouteArgs {
    readonly apiId: pulumi.Input<string>;
    readonly spec: HttpRouteSpec<pulumi.Input<string>>;
    readonly namePrefix: string;
    readonly parent: pulumi.Resource;
}

/** One route and its integration, like CDK's `HttpRoute` with an `HttpUrlIntegration` or `HttpNlbIntegration`. */
export class HttpApiRoute {
    readonly integration: aws.apigatewayv2.Integration;
    readonly route: aws.apigatewayv2.Route;

    constructor(args: HttpApiRouteArgs) {
        const name = `${args.namePrefix}-${httpRouteLabel(args.spec.routeKey)}`;
        this.integration = new aws.apigatewayv2.Integration(`${name}-integration`, { apiId: args.apiId, ...args.spec.integration }, { parent: args.parent });
        this.route = new aws.apigatewayv2.Route(
            name,
            { apiId: args.apiId, ...args.spec.route, target: pulumi.interpolate`integrations/${this.integration.id}` },
            { parent: args.parent },
        );
    }
}
