// The key of a method-level override in a REST stage's MethodSettings, in the form API Gateway
// stores it. Kept free of Pulumi imports so the plan diagram can name the same key offline.
//
// Why this form (read before changing it):
// - The provider does not translate `method_path`. terraform-provider-aws
//   internal/service/apigateway/method_settings.go (commit 9b01179, the provider pulumi-aws 7.x
//   is built from) sends it verbatim as the prefix of every UpdateStage patch path
//   (`prefix := fmt.Sprintf("/%s/", methodPath)`, resourceMethodSettingsUpdate, then
//   `prefix + "throttling/burstLimit"` and so on) and reads the settings back with
//   `stage.MethodSettings[methodPath]` (findMethodSettingsByThreePartKey, end of the file). A
//   key AWS spells differently is written under AWS's spelling and then not found on read
//   (terraform-provider-aws#37959: "reading API Gateway Method Settings empty results" for
//   `path/{proxy+}/GET`).
// - A patch path is a JSON Pointer: every "/" inside a name is escaped as "~1" (AWS's
//   PatchOperation reference, https://docs.aws.amazon.com/apigateway/latest/api/API_PatchOperation.html,
//   "Any slash ("/") character appearing in path names must be escaped with "~1"").
//   MethodSettings is keyed `{resource_path}/{http_method}`, and the resource path keeps its
//   leading slash, so `POST /some/api/endpoint` is stored as `~1some~1api~1endpoint/POST`
//   (`aws apigateway get-stage` output quoted in terraform-provider-aws#9738, comment of
//   2022-03-10); without the escape UpdateStage answers "Invalid method setting path"
//   (terraform-provider-aws#15855, `/{proxy+}/ANY//throttling/burstLimit`).
// - The root resource's path is `/`, hence `~1/GET`.
// - `*` stands for any method in a MethodSettings key (`*/*` is the stage-wide entry; the
//   CloudFormation MethodSetting reference, HttpMethod: "an asterisk (*)"
//   https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-apigateway-stage-methodsetting.html).
//   An ANY route is one method resource serving every verb, so its override is `<path>/*`.

/** A route's method and path, as the route table spells them (`POST`, `/orders/{id}`). */
export interface MethodSettingsRoute {
    readonly method: string;
    readonly path: string;
}

/** The stage-wide MethodSettings key: every resource, every method. */
export const STAGE_WIDE_METHOD_PATH = "*/*";

/**
 * A route's MethodSettings key: its resource path with every `/` written `~1` (the leading one
 * included), then `/` and the method, `*` for ANY. `/orders/{id}` POST is `~1orders~1{id}/POST`;
 * the root is `~1/GET`; `/api/{proxy+}` ANY is `~1api~1{proxy+}/*`.
 */
export function methodSettingsPath(route: MethodSettingsRoute): string {
    const escapedResourcePath = route.path.replace(/\//g, "~1");
    return `${escapedResourcePath}/${route.method === "ANY" ? "*" : route.method}`;
}
