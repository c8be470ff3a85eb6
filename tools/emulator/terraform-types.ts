/**
 * How each Pulumi resource type this program registers becomes a hashicorp/aws (5.100) Terraform
 * resource. One entry per type; the renderer (render.ts) refuses a type or an input property
 * that is not here, naming it and this file.
 *
 * Adding a type: copy the closest entry, set `terraform` to the resource type of the Terraform
 * aws provider, list every Pulumi input under `args` (Pulumi name -> Terraform argument), and
 * under `attributes` the computed outputs other resources read (Pulumi state key -> Terraform
 * attribute). Nested objects are converted key by key to snake_case; `blocks` renames a nested
 * Pulumi key whose Terraform block is spelled differently (plural list -> singular block).
 * A type that cannot be emulated goes in NOT_EMULATED below, with its reason; an input the v5.100
 * provider does not have goes under the entry's `v6Only`, with what leaving it out means.
 */

export interface ArgMapping {
    /** The Terraform argument. */
    readonly name: string;
    /** A map whose keys are data (tags, dimensions, request parameters): keys are kept as they are. */
    readonly map?: boolean;
    /** Turns the Pulumi value into the Terraform one (after references are traced). */
    readonly convert?: (value: unknown) => unknown;
    /**
     * A Pulumi archive (a Lambda function's code): rendered as `filename`, a zip the emulator
     * writes into the working directory (tools/emulator/lambda-packages.ts), and its
     * `source_code_hash`.
     */
    readonly archive?: boolean;
}

export interface ResourceMapping {
    /** The Terraform resource type (hashicorp/aws). */
    readonly terraform: string;
    /** Every Pulumi input the program may set: its Terraform argument. */
    readonly args: Readonly<Record<string, string | ArgMapping>>;
    /**
     * Computed outputs another resource or a stack output may read: Pulumi state key (a dotted
     * path, `[0]` for a list element) -> Terraform attribute, or an expression with `@` for the
     * resource's address. The id is always available as `@.id`.
     */
    readonly attributes?: Readonly<Record<string, string>>;
    /** Nested Pulumi keys whose Terraform block has another name, anywhere in this resource's values. */
    readonly blocks?: Readonly<Record<string, string>>;
    /** Terraform requires a name Pulumi generates (auto-naming): the argument to fill. */
    readonly autoName?: string;
    /**
     * Inputs computed from other resources in a way no Terraform reference can express (a
     * digest of them): kept as the literal the program computed, with the reason. The
     * resources they came from still order this one (depends_on).
     */
    readonly derived?: Readonly<Record<string, string>>;
    /**
     * Inputs the v6 provider (pulumi-aws 7) has and the v5.100 mirror does not: left out of the
     * rendered resource and printed on the not-emulated list with the reason given here.
     */
    readonly v6Only?: Readonly<Record<string, string>>;
    /** Custom timeouts map to a Terraform `timeouts` block. */
    readonly timeouts?: boolean;
}

/** `snake_case` of a Pulumi (camelCase) name. */
export function snakeCase(name: string): string {
    return name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").replace(/([A-Z])([A-Z][a-z])/g, "$1_$2").toLowerCase();
}

/** Args whose Terraform name is the snake_case of the Pulumi name. */
function same(...names: string[]): Record<string, string> {
    return Object.fromEntries(names.map((name) => [name, snakeCase(name)]));
}

const tags: Record<string, ArgMapping> = { tags: { name: "tags", map: true } };

/** Provider v7 takes one endpoint type as a string; v5.100 takes a list. */
const endpointConfiguration: ArgMapping = {
    name: "endpoint_configuration",
    convert: (value) => {
        const config = value as { types?: unknown };
        return { ...config, types: Array.isArray(config.types) ? config.types : [config.types] };
    },
};

/** Terraform's inline security group rules are attributes: every field must be given. */
const securityGroupRules = (name: string): ArgMapping => ({
    name,
    convert: (rules) =>
        (rules as Array<Record<string, unknown>>).map((rule) => ({
            cidr_blocks: [],
            ipv6_cidr_blocks: [],
            prefix_list_ids: [],
            security_groups: [],
            self: false,
            description: "",
            ...rule,
        })),
});

export const RESOURCE_TYPES: Readonly<Record<string, ResourceMapping>> = {
    // --- network and compute (origin)
    "aws:ec2/securityGroup:SecurityGroup": {
        terraform: "aws_security_group",
        args: { ...same("description", "vpcId"), ingress: securityGroupRules("ingress"), egress: securityGroupRules("egress"), ...tags },
        attributes: { arn: "arn" },
    },
    "aws:ec2/keyPair:KeyPair": {
        terraform: "aws_key_pair",
        args: { ...same("publicKey", "keyName"), ...tags },
        attributes: { keyName: "key_name" },
    },
    "aws:ec2/instance:Instance": {
        terraform: "aws_instance",
        args: {
            ...same(
                "ami", "associatePublicIpAddress", "creditSpecification", "instanceType", "keyName", "maintenanceOptions", "metadataOptions",
                "rootBlockDevice", "subnetId", "vpcSecurityGroupIds", "userData", "userDataReplaceOnChange",
            ),
            ...tags,
        },
        attributes: { arn: "arn", publicIp: "public_ip", publicDns: "public_dns", privateIp: "private_ip" },
        blocks: {},
    },
    "aws:ec2/eip:Eip": {
        terraform: "aws_eip",
        args: { ...same("domain"), ...tags },
        attributes: { allocationId: "allocation_id", publicIp: "public_ip", publicDns: "public_dns" },
    },
    "aws:ec2/eipAssociation:EipAssociation": {
        terraform: "aws_eip_association",
        args: same("allocationId", "instanceId"),
    },
    "aws:ec2/flowLog:FlowLog": {
        terraform: "aws_flow_log",
        args: { ...same("iamRoleArn", "logDestination", "logDestinationType", "maxAggregationInterval", "trafficType", "vpcId", "subnetId", "logFormat"), ...tags },
        attributes: { arn: "arn" },
    },
    // --- the origin as a fleet (infra/fleet.ts)
    "aws:ec2/amiFromInstance:AmiFromInstance": {
        terraform: "aws_ami_from_instance",
        autoName: "name",
        args: { ...same("description", "name", "snapshotWithoutReboot", "sourceInstanceId"), ...tags },
        attributes: { arn: "arn", rootDeviceName: "root_device_name", sourceInstanceId: "source_instance_id" },
        timeouts: true,
    },
    "aws:ec2/launchTemplate:LaunchTemplate": {
        terraform: "aws_launch_template",
        autoName: "name",
        args: {
            ...same(
                "blockDeviceMappings", "creditSpecification", "description", "imageId", "instanceType", "metadataOptions", "name",
                "networkInterfaces", "tagSpecifications", "updateDefaultVersion", "vpcSecurityGroupIds", "userData",
            ),
            ...tags,
        },
        attributes: { arn: "arn", latestVersion: "latest_version", defaultVersion: "default_version" },
    },
    "aws:autoscaling/group:Group": {
        terraform: "aws_autoscaling_group",
        autoName: "name",
        args: {
            ...same(
                "defaultInstanceWarmup", "desiredCapacity", "enabledMetrics", "healthCheckGracePeriod", "healthCheckType", "instanceRefresh",
                "launchTemplate", "maxSize", "minElbCapacity", "minSize", "name", "targetGroupArns",
            ),
            vpcZoneIdentifiers: "vpc_zone_identifier",
            // A list of {key, value, propagateAtLaunch}: Terraform's repeated `tag` block.
            tags: "tag",
        },
        attributes: { arn: "arn", name: "name" },
        timeouts: true,
    },
    "aws:autoscaling/policy:Policy": {
        terraform: "aws_autoscaling_policy",
        autoName: "name",
        args: same("autoscalingGroupName", "estimatedInstanceWarmup", "name", "policyType", "targetTrackingConfiguration"),
        attributes: { arn: "arn" },
    },
    // The provider files aws_ec2_instance_state under ec2transitgateway in Pulumi.
    "aws:ec2transitgateway/instanceState:InstanceState": {
        terraform: "aws_ec2_instance_state",
        args: same("force", "instanceId", "state"),
    },
    "aws:lb/loadBalancer:LoadBalancer": {
        terraform: "aws_lb",
        args: { ...same("enableCrossZoneLoadBalancing", "enforceSecurityGroupInboundRulesOnPrivateLinkTraffic", "internal", "loadBalancerType", "subnets", "securityGroups"), ...tags },
        attributes: { arn: "arn", dnsName: "dns_name", arnSuffix: "arn_suffix" },
    },
    "aws:lb/targetGroup:TargetGroup": {
        terraform: "aws_lb_target_group",
        args: { ...same("deregistrationDelay", "healthCheck", "port", "protocol", "targetType", "vpcId"), ...tags },
        attributes: { arn: "arn", arnSuffix: "arn_suffix" },
    },
    "aws:lb/listener:Listener": {
        terraform: "aws_lb_listener",
        args: { ...same("loadBalancerArn", "port", "protocol"), defaultActions: "default_action", ...tags },
        attributes: { arn: "arn" },
    },
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": {
        terraform: "aws_lb_target_group_attachment",
        args: same("port", "targetGroupArn", "targetId"),
    },

    // --- monitoring
    "aws:cloudwatch/metricAlarm:MetricAlarm": {
        terraform: "aws_cloudwatch_metric_alarm",
        autoName: "alarm_name",
        args: {
            ...same(
                "alarmActions", "alarmDescription", "comparisonOperator", "evaluationPeriods", "extendedStatistic", "metricName",
                "namespace", "okActions", "period", "statistic", "threshold", "treatMissingData", "datapointsToAlarm", "insufficientDataActions",
            ),
            dimensions: { name: "dimensions", map: true },
            ...tags,
        },
        attributes: { arn: "arn" },
    },
    "aws:cloudwatch/dashboard:Dashboard": {
        terraform: "aws_cloudwatch_dashboard",
        args: same("dashboardBody", "dashboardName"),
        attributes: { dashboardName: "dashboard_name" },
    },
    "aws:cloudwatch/logGroup:LogGroup": {
        terraform: "aws_cloudwatch_log_group",
        args: { ...same("name", "namePrefix", "retentionInDays", "skipDestroy", "kmsKeyId"), ...tags },
        attributes: { name: "name", arn: "arn" },
    },
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": {
        terraform: "aws_cloudwatch_log_resource_policy",
        args: same("policyDocument", "policyName"),
    },
    "aws:sns/topic:Topic": {
        terraform: "aws_sns_topic",
        args: { ...same("displayName", "kmsMasterKeyId"), ...tags },
        attributes: { arn: "arn", name: "name" },
    },
    "aws:sns/topicSubscription:TopicSubscription": {
        terraform: "aws_sns_topic_subscription",
        args: { ...same("endpoint", "protocol"), topic: "topic_arn" },
    },
    "aws:kms/key:Key": {
        terraform: "aws_kms_key",
        args: { ...same("deletionWindowInDays", "description", "enableKeyRotation", "policy"), ...tags },
        attributes: { arn: "arn" },
    },
    "aws:kms/keyPolicy:KeyPolicy": {
        terraform: "aws_kms_key_policy",
        args: same("keyId", "policy"),
    },

    // --- API Gateway (gateway)
    "aws:iam/role:Role": {
        terraform: "aws_iam_role",
        args: { ...same("assumeRolePolicy", "description"), ...tags },
        attributes: { name: "name", arn: "arn" },
    },
    "aws:iam/rolePolicy:RolePolicy": {
        terraform: "aws_iam_role_policy",
        autoName: "name",
        args: same("policy", "role", "name"),
    },
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {
        terraform: "aws_iam_role_policy_attachment",
        args: same("policyArn", "role"),
    },
    "aws:apigateway/account:Account": {
        terraform: "aws_api_gateway_account",
        args: same("cloudwatchRoleArn"),
    },
    "aws:apigateway/restApi:RestApi": {
        terraform: "aws_api_gateway_rest_api",
        args: { ...same("description", "disableExecuteApiEndpoint", "name", "policy"), endpointConfiguration, ...tags },
        attributes: { rootResourceId: "root_resource_id", arn: "arn", executionArn: "execution_arn" },
        // `terraform providers schema` of the 5.100 mirror: aws_api_gateway_rest_api has neither.
        v6Only: {
            securityPolicy: "the execute-api endpoint's minimum TLS version is not applied (moto enforces no TLS policy either)",
            endpointAccessMode: "the endpoint access mode is not applied",
        },
    },
    "aws:apigateway/resource:Resource": {
        terraform: "aws_api_gateway_resource",
        args: { ...same("parentId", "pathPart"), restApi: "rest_api_id" },
    },
    "aws:apigateway/method:Method": {
        terraform: "aws_api_gateway_method",
        args: {
            ...same("apiKeyRequired", "authorization", "authorizerId", "httpMethod", "resourceId", "requestValidatorId", "authorizationScopes"),
            requestParameters: { name: "request_parameters", map: true },
            requestTemplates: { name: "request_templates", map: true },
            restApi: "rest_api_id",
        },
    },
    // --- REST CORS (infra/rest-cors.ts)
    "aws:apigateway/methodResponse:MethodResponse": {
        terraform: "aws_api_gateway_method_response",
        args: { ...same("httpMethod", "resourceId", "statusCode"), responseParameters: { name: "response_parameters", map: true }, restApi: "rest_api_id" },
    },
    "aws:apigateway/integrationResponse:IntegrationResponse": {
        terraform: "aws_api_gateway_integration_response",
        args: { ...same("httpMethod", "resourceId", "statusCode"), responseParameters: { name: "response_parameters", map: true }, restApi: "rest_api_id" },
    },
    "aws:apigateway/response:Response": {
        terraform: "aws_api_gateway_gateway_response",
        args: { ...same("responseType", "restApiId"), responseParameters: { name: "response_parameters", map: true } },
    },
    "aws:apigateway/requestValidator:RequestValidator": {
        terraform: "aws_api_gateway_request_validator",
        args: { ...same("name", "validateRequestBody", "validateRequestParameters"), restApi: "rest_api_id" },
    },
    "aws:apigateway/integration:Integration": {
        terraform: "aws_api_gateway_integration",
        args: {
            ...same(
                "cacheKeyParameters", "connectionId", "connectionType", "httpMethod", "integrationHttpMethod", "passthroughBehavior",
                "resourceId", "timeoutMilliseconds", "tlsConfig", "type", "uri", "cacheNamespace",
            ),
            requestParameters: { name: "request_parameters", map: true },
            restApi: "rest_api_id",
        },
    },
    // --- Lambda (gateway, `-> lambda:<name>` routes)
    "aws:lambda/function:Function": {
        terraform: "aws_lambda_function",
        args: {
            ...same("description", "role", "handler", "runtime", "architectures", "memorySize", "timeout", "loggingConfig", "tracingConfig", "reservedConcurrentExecutions"),
            name: "function_name",
            code: { name: "filename", archive: true },
            // Variable names are data (TABLE_NAME): kept as they are, not snake_cased.
            environment: { name: "environment", map: true },
            ...tags,
        },
        attributes: { arn: "arn", invokeArn: "invoke_arn", name: "function_name", qualifiedArn: "qualified_arn" },
    },
    "aws:lambda/permission:Permission": {
        terraform: "aws_lambda_permission",
        args: { ...same("action", "principal", "sourceArn", "statementId"), function: "function_name" },
    },
    "aws:apigateway/deployment:Deployment": {
        terraform: "aws_api_gateway_deployment",
        args: { ...same("description"), restApi: "rest_api_id", triggers: { name: "triggers", map: true } },
        derived: { triggers: "a digest of the routes and the origin URL (it replaces the deployment when they change)" },
    },
    "aws:apigateway/stage:Stage": {
        terraform: "aws_api_gateway_stage",
        args: {
            ...same("accessLogSettings", "cacheClusterEnabled", "cacheClusterSize", "description", "stageName", "xrayTracingEnabled", "clientCertificateId"),
            deployment: "deployment_id",
            restApi: "rest_api_id",
            variables: { name: "variables", map: true },
            ...tags,
        },
        attributes: { arn: "arn", stageName: "stage_name", invokeUrl: "invoke_url" },
    },
    "aws:apigateway/methodSettings:MethodSettings": {
        terraform: "aws_api_gateway_method_settings",
        args: { ...same("methodPath", "settings", "stageName"), restApi: "rest_api_id" },
    },
    "aws:apigateway/apiKey:ApiKey": {
        terraform: "aws_api_gateway_api_key",
        args: { ...same("description", "enabled", "name"), ...tags },
        attributes: { value: "value" },
    },
    "aws:apigateway/usagePlan:UsagePlan": {
        terraform: "aws_api_gateway_usage_plan",
        args: { ...same("name", "description", "quotaSettings", "throttleSettings"), apiStages: "api_stages", ...tags },
    },
    "aws:apigateway/usagePlanKey:UsagePlanKey": {
        terraform: "aws_api_gateway_usage_plan_key",
        args: same("keyId", "keyType", "usagePlanId"),
    },
    "aws:apigateway/vpcLink:VpcLink": {
        terraform: "aws_api_gateway_vpc_link",
        args: { ...same("description", "name"), targetArn: { name: "target_arns", convert: (arn) => [arn] }, ...tags },
    },
    "aws:apigateway/authorizer:Authorizer": {
        terraform: "aws_api_gateway_authorizer",
        autoName: "name",
        args: { ...same("identitySource", "providerArns", "type", "name"), restApi: "rest_api_id" },
    },
    "aws:apigateway/domainName:DomainName": {
        terraform: "aws_api_gateway_domain_name",
        args: { ...same("domainName", "regionalCertificateArn", "securityPolicy"), endpointConfiguration, ...tags },
        attributes: { arn: "arn", regionalDomainName: "regional_domain_name", regionalZoneId: "regional_zone_id" },
    },
    "aws:apigateway/basePathMapping:BasePathMapping": {
        terraform: "aws_api_gateway_base_path_mapping",
        args: { ...same("domainName", "stageName", "basePath"), restApi: "api_id" },
    },
    // --- HTTP APIs (API Gateway v2, infra/http/)
    "aws:apigatewayv2/api:Api": {
        terraform: "aws_apigatewayv2_api",
        args: { ...same("description", "disableExecuteApiEndpoint", "name", "protocolType", "corsConfiguration", "routeSelectionExpression"), ...tags },
        attributes: { arn: "arn", apiEndpoint: "api_endpoint", executionArn: "execution_arn" },
    },
    "aws:apigatewayv2/authorizer:Authorizer": {
        terraform: "aws_apigatewayv2_authorizer",
        args: {
            ...same("apiId", "authorizerType", "authorizerUri", "identitySources", "name"),
            // Terraform spells the audience list in the singular.
            jwtConfiguration: {
                name: "jwt_configuration",
                convert: (value) => {
                    const { audiences, ...rest } = value as { audiences?: unknown };
                    return { ...rest, audience: audiences };
                },
            },
        },
    },
    "aws:apigatewayv2/vpcLink:VpcLink": {
        terraform: "aws_apigatewayv2_vpc_link",
        args: { ...same("name", "securityGroupIds", "subnetIds"), ...tags },
        attributes: { arn: "arn" },
    },
    "aws:apigatewayv2/integration:Integration": {
        terraform: "aws_apigatewayv2_integration",
        args: {
            ...same("apiId", "connectionId", "connectionType", "description", "integrationMethod", "integrationType", "integrationUri", "payloadFormatVersion", "timeoutMilliseconds"),
            requestParameters: { name: "request_parameters", map: true },
        },
    },
    "aws:apigatewayv2/route:Route": {
        terraform: "aws_apigatewayv2_route",
        args: same("apiId", "authorizationType", "authorizerId", "routeKey", "target"),
    },
    "aws:apigatewayv2/stage:Stage": {
        terraform: "aws_apigatewayv2_stage",
        args: { ...same("accessLogSettings", "apiId", "autoDeploy", "defaultRouteSettings", "description", "name"), routeSettings: "route_settings", ...tags },
        attributes: { arn: "arn", name: "name", invokeUrl: "invoke_url", executionArn: "execution_arn" },
    },
    "aws:apigatewayv2/domainName:DomainName": {
        terraform: "aws_apigatewayv2_domain_name",
        args: { ...same("domainName", "domainNameConfiguration"), ...tags },
        attributes: {
            arn: "arn",
            domainName: "domain_name",
            "domainNameConfiguration.targetDomainName": "domain_name_configuration[0].target_domain_name",
            "domainNameConfiguration.hostedZoneId": "domain_name_configuration[0].hosted_zone_id",
        },
    },
    "aws:apigatewayv2/apiMapping:ApiMapping": {
        terraform: "aws_apigatewayv2_api_mapping",
        args: same("apiId", "domainName", "stage"),
    },
    // --- The WebSocket API's connections table (infra/connections-table.ts)
    "aws:dynamodb/table:Table": {
        terraform: "aws_dynamodb_table",
        args: { ...same("billingMode", "hashKey", "rangeKey", "ttl", "pointInTimeRecovery", "serverSideEncryption", "name"), attributes: "attribute", ...tags },
        attributes: { arn: "arn", name: "name" },
        autoName: "name",
    },
    "aws:wafv2/webAcl:WebAcl": {
        terraform: "aws_wafv2_web_acl",
        args: { ...same("defaultAction", "description", "name", "scope", "visibilityConfig"), rules: "rule", ...tags },
        attributes: { arn: "arn", name: "name" },
    },
    "aws:wafv2/webAclAssociation:WebAclAssociation": {
        terraform: "aws_wafv2_web_acl_association",
        args: same("resourceArn", "webAclArn"),
    },
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": {
        terraform: "aws_wafv2_web_acl_logging_configuration",
        args: { ...same("logDestinationConfigs", "resourceArn"), redactedFields: "redacted_fields" },
    },
    "aws:cognito/userPool:UserPool": {
        terraform: "aws_cognito_user_pool",
        autoName: "name",
        args: {
            ...same(
                "accountRecoverySetting", "adminCreateUserConfig", "autoVerifiedAttributes", "deletionProtection", "mfaConfiguration",
                "passwordPolicy", "softwareTokenMfaConfiguration", "usernameAttributes", "name",
            ),
            ...tags,
        },
        attributes: { arn: "arn", endpoint: "endpoint" },
        blocks: { recoveryMechanisms: "recovery_mechanism" },
    },
    "aws:cognito/userPoolClient:UserPoolClient": {
        terraform: "aws_cognito_user_pool_client",
        autoName: "name",
        args: same("explicitAuthFlows", "generateSecret", "preventUserExistenceErrors", "userPoolId", "name"),
    },
    "aws:acm/certificate:Certificate": {
        terraform: "aws_acm_certificate",
        args: { ...same("domainName", "validationMethod"), ...tags },
        attributes: {
            arn: "arn",
            // A set in Terraform: one domain, one validation option.
            "domainValidationOptions[0].domainName": "tolist(@.domain_validation_options)[0].domain_name",
            "domainValidationOptions[0].resourceRecordName": "tolist(@.domain_validation_options)[0].resource_record_name",
            "domainValidationOptions[0].resourceRecordType": "tolist(@.domain_validation_options)[0].resource_record_type",
            "domainValidationOptions[0].resourceRecordValue": "tolist(@.domain_validation_options)[0].resource_record_value",
        },
    },
    "aws:acm/certificateValidation:CertificateValidation": {
        terraform: "aws_acm_certificate_validation",
        args: same("certificateArn", "validationRecordFqdns"),
        attributes: { certificateArn: "certificate_arn" },
    },
    "aws:route53/record:Record": {
        terraform: "aws_route53_record",
        args: { ...same("allowOverwrite", "name", "records", "ttl", "type", "zoneId"), aliases: "alias" },
        attributes: { fqdn: "fqdn" },
    },
};

/**
 * Arguments moto accepts but does not store, so a second plan would always want to set them
 * again: the rendered resource ignores later changes to them, and the run prints it.
 */
export interface EmulatorGap {
    /** Arguments the program sets that moto does not store: ignored when the resource sets them. */
    readonly arguments: readonly string[];
    /** Arguments the program leaves unset that moto reads back anyway (a default it invents): always ignored. */
    readonly invented?: readonly string[];
    readonly reason: string;
}

export const EMULATOR_GAPS: Readonly<Record<string, EmulatorGap>> = {
    "aws:ec2/instance:Instance": {
        arguments: ["maintenance_options"],
        reason: "moto 5.2.1 neither stores nor returns an instance's MaintenanceOptions (its ec2 instance models have no such field), so auto-recovery is sent but never read back; the second plan ignores it",
    },
    "aws:apigateway/stage:Stage": {
        arguments: ["client_certificate_id"],
        reason: "moto 5.2.1 has no client certificates and does not store a stage's clientCertificateId, so it is sent but never read back; the second plan ignores it",
    },
    "aws:autoscaling/group:Group": {
        arguments: ["default_instance_warmup"],
        reason: "moto 5.2.1 does not store a group's DefaultInstanceWarmup (moto/autoscaling/models.py has no such field), so it reads back 0; the second plan ignores it",
    },
    "aws:autoscaling/policy:Policy": {
        arguments: [],
        invented: ["enabled", "predictive_scaling_configuration"],
        reason: "moto 5.2.1 does not store a policy's Enabled (it reads back false) and answers an empty PredictiveScalingConfiguration for every policy (moto/autoscaling/responses.py put_scaling_policy defaults it to {}); the second plan ignores both",
    },
    "aws:ec2/launchTemplate:LaunchTemplate": {
        arguments: ["tag_specifications"],
        reason: "moto 5.2.1 copies the launch template's own tags (CreateLaunchTemplate's TagSpecifications for launch-template) into the version's LaunchTemplateData.TagSpecifications (moto/ec2/responses/launch_templates.py), so a third tag_specifications block reads back; the second plan ignores tag_specifications",
    },
    "aws:lb/loadBalancer:LoadBalancer": {
        arguments: ["enforce_security_group_inbound_rules_on_private_link_traffic"],
        reason: "moto 5.2.1 accepts the NLB's EnforceSecurityGroupInboundRulesOnPrivateLinkTraffic (off: the REST VPC link's PrivateLink traffic passes the NLB's security group) but reads it back empty, so the second plan ignores it",
    },
    "aws:lambda/function:Function": {
        arguments: ["logging_config"],
        reason: "moto 5.2.1 creates the function but does not read back its LoggingConfig (JSON format, log group), so it is sent but never read back; the second plan ignores it",
    },
    "aws:apigateway/integration:Integration": {
        arguments: ["connection_id"],
        reason: "moto 5.2.1 does not store an integration's connectionId (its apigateway models have no such field), so the VPC link id is sent but never read back; the second plan ignores it",
    },
};

/**
 * What moto cannot do with a type although it creates it: not a difference the second plan
 * shows, but a step the gate never exercises. Printed on the not-emulated list for each such resource.
 */
export const UNEXERCISED: Readonly<Record<string, string>> = {
    "aws:apigatewayv2/stage:Stage":
        "moto 5.2.1 answers UpdateStage on an HTTP API with 500 (NotImplementedError; the provider retries until its timeout): the gate creates, re-plans and destroys the stage but never changes one in place",
    "aws:apigatewayv2/api:Api":
        "moto 5.2.1 has no CreateDeployment for HTTP APIs (404): the program never makes one (the stage auto-deploys), and moto serves no API traffic, so automatic deployment itself is not shown",
};

/** What Terraform renders for a resource that cannot be emulated (see NOT_EMULATED). */
export interface NotEmulatedMapping {
    /** Why it cannot be emulated; printed on every run. */
    readonly reason: string;
    /**
     * The inputs kept on the stand-in `terraform_data` node (dotted paths), so the references
     * (and with them the order) still hold.
     */
    readonly keep: readonly string[];
    /** State keys (or `id`) other resources read, served from the stand-in's output. */
    readonly outputs?: readonly string[];
}

/** Types rendered as a `terraform_data` stand-in: on the printed not-emulated list, with the reason. */
export const NOT_EMULATED: Readonly<Record<string, NotEmulatedMapping>> = {
    "command:remote:Command": {
        reason: "runs its script over SSH on the instance; moto's instances run nothing (rendered as terraform_data, so what it waits for still orders it)",
        keep: ["connection.host", "triggers"],
    },
    "tls:index/selfSignedCert:SelfSignedCert": {
        reason: "the tls provider is not in the mirror (only hashicorp/aws); the origin's root only reaches the instance through the SSH commands, which are not emulated either",
        keep: [],
    },
    "tls:index/certRequest:CertRequest": {
        reason: "the tls provider is not in the mirror (only hashicorp/aws); the server certificate's request is only read by the certificate below",
        keep: [],
    },
    "tls:index/locallySignedCert:LocallySignedCert": {
        reason: "the tls provider is not in the mirror (only hashicorp/aws); the server certificate only reaches the instance through the SSH commands, which are not emulated either",
        keep: [],
    },
    "aws:apigateway/clientCertificate:ClientCertificate": {
        reason: "moto 5.2.1 has no API Gateway client certificates (no clientcertificates routes); a terraform_data node stands in for its id, which the stage names",
        keep: ["description"],
        outputs: ["id"],
    },
    "tls:index/privateKey:PrivateKey": {
        reason: "the tls provider is not in the mirror (only hashicorp/aws); the emulator generates the key pair and a terraform_data node hands the public key on",
        keep: [],
        outputs: ["publicKeyOpenssh"],
    },
};

/** An invoke the program makes, rendered as a Terraform data source. */
export interface InvokeMapping {
    /** The Terraform data source (hashicorp/aws). */
    readonly terraform: string;
    readonly args: Readonly<Record<string, string>>;
    /** Result key -> Terraform attribute; a list result offers each element (`names[0]`). */
    readonly results: Readonly<Record<string, string>>;
}

export const INVOKES: Readonly<Record<string, InvokeMapping>> = {
    "aws:index/getCallerIdentity:getCallerIdentity": {
        terraform: "aws_caller_identity",
        args: {},
        results: { accountId: "account_id", arn: "arn", userId: "user_id" },
    },
    "aws:index/getAvailabilityZones:getAvailabilityZones": {
        terraform: "aws_availability_zones",
        args: { state: "state", filters: "filter" },
        results: { names: "names", zoneIds: "zone_ids" },
    },
    "aws:cloudwatch/getLogGroups:getLogGroups": {
        terraform: "aws_cloudwatch_log_groups",
        args: { logGroupNamePrefix: "log_group_name_prefix" },
        results: { logGroupNames: "log_group_names", arns: "arns" },
    },
    "aws:ssm/getParameter:getParameter": {
        terraform: "aws_ssm_parameter",
        args: { name: "name" },
        results: { value: "insecure_value", insecureValue: "insecure_value", arn: "arn" },
    },
};

/** Pulumi-only resources with nothing to create: components and the stack itself. */
export function isStructural(type: string, custom: boolean): boolean {
    return !custom || type === "pulumi:pulumi:Stack" || type.startsWith("pulumi:providers:");
}
