// CORS on a REST API: the gateway answers the browser's preflight itself (an OPTIONS method with
// a MOCK integration on every path the routes serve) and its own 4XX/5XX responses carry the
// allow-origin header too, so a browser can read a 401, 403 or 429 instead of a CORS error.
// (The origin or the function answers the CORS headers of the actual responses it sends.)
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { resourceLabel } from "./api-resource-tree";
import type { RouteDefinition } from "./routes";

/** Headers a browser may send on a cross-origin call: the caller's credentials and a JSON body. */
export const REST_CORS_ALLOW_HEADERS = ["Authorization", "Content-Type", "X-Api-Key", "X-Amz-Date", "X-Amz-Security-Token"] as const;

/** The gateway's own error responses that carry the CORS headers. */
export const CORS_GATEWAY_RESPONSES = ["DEFAULT_4XX", "DEFAULT_5XX"] as const;

/** The methods each path allows in a preflight answer: its routes' methods, ANY as all of them, and OPTIONS. */
export function preflightMethods(routes: readonly RouteDefinition[]): Map<string, string[]> {
    const byPath = new Map<string, Set<string>>();
    for (const route of routes) {
        const methods = byPath.get(route.path) ?? new Set<string>();
        for (const method of route.method === "ANY" ? ["DELETE", "GET", "HEAD", "PATCH", "POST", "PUT"] : [route.method]) {
            methods.add(method);
        }
        byPath.set(route.path, methods);
    }
    // A path whose own routes already serve OPTIONS answers its preflight itself.
    const explicit = new Set(routes.filter((route) => route.method === "OPTIONS").map((route) => route.path));
    return new Map([...byPath].filter(([path]) => !explicit.has(path)).map(([path, methods]) => [path, [...methods, "OPTIONS"].sort()]));
}

/** The header values, as API Gateway wants them: single-quoted static strings. */
export function corsHeaderValues(allowOrigin: string, methods: readonly string[]): Record<string, string> {
    return {
        "Access-Control-Allow-Origin": `'${allowOrigin}'`,
        "Access-Control-Allow-Methods": `'${methods.join(",")}'`,
        "Access-Control-Allow-Headers": `'${REST_CORS_ALLOW_HEADERS.join(",")}'`,
        "Access-Control-Max-Age": "'300'",
    };
}

export interface RestCorsArgs {
    readonly restApiId: pulumi.Input<string>;
    readonly routes: readonly RouteDefinition[];
    /** `*` or one browser origin: a REST API's gateway responses carry one static value. */
    readonly allowOrigin: string;
    /** The resource id of a path (`ApiResourceTree.resourceIdOf`). */
    readonly resourceIdOf: (path: string) => pulumi.Input<string>;
    readonly namePrefix: string;
    readonly parent: pulumi.Resource;
}

/** The preflight methods and the CORS gateway responses; `resources` are what a deployment must include. */
export class RestCors {
    readonly resources: pulumi.Resource[] = [];

    constructor(args: RestCorsArgs) {
        const opts = { parent: args.parent };
        for (const [path, methods] of preflightMethods(args.routes)) {
            const name = `${args.namePrefix}-${resourceLabel(path)}-preflight`;
            const resourceId = args.resourceIdOf(path);
            const headers = corsHeaderValues(args.allowOrigin, methods);
            // A preflight carries no credentials: it must pass without auth or API key, or the browser never sends the real call.
            const method = new aws.apigateway.Method(
                name,
                { restApi: args.restApiId, resourceId, httpMethod: "OPTIONS", authorization: "NONE", apiKeyRequired: false },
                opts,
            );
            const integration = new aws.apigateway.Integration(
                `${name}-integration`,
                { restApi: args.restApiId, resourceId, httpMethod: method.httpMethod, type: "MOCK", requestTemplates: { "application/json": '{"statusCode": 204}' } },
                opts,
            );
            const methodResponse = new aws.apigateway.MethodResponse(
                `${name}-response`,
                {
                    restApi: args.restApiId,
                    resourceId,
                    httpMethod: method.httpMethod,
                    statusCode: "204",
                    responseParameters: Object.fromEntries(Object.keys(headers).map((header) => [`method.response.header.${header}`, true])),
                },
                opts,
            );
            const integrationResponse = new aws.apigateway.IntegrationResponse(
                `${name}-integration-response`,
                {
                    restApi: args.restApiId,
                    resourceId,
                    httpMethod: method.httpMethod,
                    statusCode: methodResponse.statusCode,
                    responseParameters: Object.fromEntries(Object.entries(headers).map(([header, value]) => [`method.response.header.${header}`, value])),
                },
                { ...opts, dependsOn: [integration] },
            );
            this.resources.push(method, integration, methodResponse, integrationResponse);
        }
        for (const responseType of CORS_GATEWAY_RESPONSES) {
            this.resources.push(
                new aws.apigateway.Response(
                    `${args.namePrefix}-${responseType.toLowerCase().replace("_", "-")}-cors`,
                    {
                        restApiId: args.restApiId,
                        responseType,
                        responseParameters: {
                            "gatewayresponse.header.Access-Control-Allow-Origin": `'${args.allowOrigin}'`,
                            "gatewayresponse.header.Access-Control-Allow-Headers": `'${REST_CORS_ALLOW_HEADERS.join(",")}'`,
                        },
                    },
                    opts,
                ),
            );
        }
    }
}
