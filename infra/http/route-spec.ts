// An HTTP API's routes as plain data, from the same route table the REST API serves: the route
// key, who may call it, and the integration behind it. Pure (no SDK), generic over references
// like the REST route model (rest-route-spec.ts), so specs read it with plain strings.
import type { RouteDefinition } from "../routes";

/** `GET /hello`, `ANY /api/{proxy+}`: an HTTP API route key is the method and the path. */
export function httpRouteKey(route: Pick<RouteDefinition, "method" | "path">): string {
    return `${route.method} ${route.path}`;
}

/** How an HTTP API route is authorized (JWT: the authorizer's id comes with the refs). */
export type HttpAuthorization = "NONE" | "AWS_IAM" | "JWT";

/** Where an HTTP API route's requests go. */
export type HttpBackend<Ref> =
    /** A public https base URL (an `originUrl` backend), ending in `/`; its certificate is verified. */
    | { readonly kind: "url"; readonly baseUrl: string }
    /** This project's private origin: the NLB listener only the VPC link reaches. */
    | { readonly kind: "vpcLink"; readonly listenerArn: Ref; readonly vpcLinkId: Ref };

export interface HttpRouteRefs<Ref> {
    readonly backend: HttpBackend<Ref>;
    readonly authorizerId?: Ref;
}

export interface HttpRouteOptions {
    readonly routes: readonly RouteDefinition[];
    readonly authorization: HttpAuthorization;
    /** How long API Gateway waits for the backend, 50 to 29000 ms (HTTP APIs allow up to 30000). */
    readonly integrationTimeoutMs: number;
}

/** One route of an HTTP API and its HTTP_PROXY integration, as the resources take them. */
export interface HttpRouteSpec<Ref = string> {
    readonly routeKey: string;
    readonly route: {
        readonly routeKey: string;
        readonly authorizationType: HttpAuthorization;
        readonly authorizerId?: Ref;
    };
    readonly integration: {
        readonly integrationType: "HTTP_PROXY";
        readonly integrationMethod: string;
        readonly integrationUri: Ref | string;
        readonly connectionType: "INTERNET" | "VPC_LINK";
        readonly connectionId?: Ref;
        readonly payloadFormatVersion: "1.0";
        readonly timeoutMilliseconds: number;
        /**
         * `overwrite:path`: the origin path with the route's parameters. Always set: a private
         * integration would otherwise forward the stage name as part of the path (AWS's "Create
         * private integrations for HTTP APIs"), and a `-> /origin/path` target must be applied.
         */
        readonly requestParameters: Record<string, string>;
    };
}

/** `v1/orders/{id}` to `v1/orders/$request.path.id`: the parameter mapping syntax of HTTP APIs. */
export function mappedOriginPath(originPath: string): string {
    return originPath.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_match, name: string) => `$request.path.${name}`);
}

export function httpRouteSpecs<Ref>(refs: HttpRouteRefs<Ref>, options: HttpRouteOptions): HttpRouteSpec<Ref>[] {
    const backend = refs.backend;
    // A URL backend keeps its own base path (`https://host/base/`); the private origin serves at /.
    const basePath = backend.kind === "url" ? new URL(backend.baseUrl).pathname : "/";
    return options.routes.map((route) => {
        const routeKey = httpRouteKey(route);
        return {
            routeKey,
            route: {
                routeKey,
                authorizationType: options.authorization,
                ...(options.authorization === "JWT" ? { authorizerId: refs.authorizerId } : {}),
            },
            integration: {
                integrationType: "HTTP_PROXY",
                integrationMethod: route.method,
                integrationUri: backend.kind === "url" ? backend.baseUrl : backend.listenerArn,
                connectionType: backend.kind === "url" ? "INTERNET" : "VPC_LINK",
                ...(backend.kind === "vpcLink" ? { connectionId: backend.vpcLinkId } : {}),
                payloadFormatVersion: "1.0",
                timeoutMilliseconds: options.integrationTimeoutMs,
                requestParameters: { "overwrite:path": `${basePath}${mappedOriginPath(route.originPath)}` },
            },
        };
    });
}
