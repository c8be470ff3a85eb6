/**
 * The AWS API actions a deployer needs, per resource type and invoke the program registers: what
 * the AWS provider calls to create, read (refresh, import), update, tag and delete each one.
 * docs/deploy-role-policy.json must allow all of them; tests/deploy-policy.spec.ts derives the
 * types from runs of the four committed stacks over every switch combination and checks both the
 * table (every type is listed) and the policy (every listed action is allowed).
 */

const TAGS_EC2 = ["ec2:CreateTags", "ec2:DeleteTags", "ec2:DescribeTags"];
/** REST API management is HTTP verbs on apigateway resource paths. */
const APIGATEWAY = ["apigateway:GET", "apigateway:POST", "apigateway:PUT", "apigateway:PATCH", "apigateway:DELETE"];

/** The condition under which the deployer may create service-linked roles, and the one it needs. */
export const EC2_ALARM_ACTIONS_SERVICE = "events.amazonaws.com";
/** EC2 Auto Scaling creates its service-linked role (AWSServiceRoleForAutoScaling) with the first group. */
export const AUTO_SCALING_SERVICE = "autoscaling.amazonaws.com";

export const ACTIONS_BY_TYPE: Readonly<Record<string, readonly string[]>> = {
    // No AWS calls: components, the SSH commands, the generated key and the origin stack's outputs.
    "pulumi:pulumi:StackReference": [],
    "command:remote:Command": [],
    "tls:index/privateKey:PrivateKey": [],
    "hello-gateway:infra:AlarmNotifications": [],
    "hello-gateway:infra:ApiGatewayAccountLogging": [],
    "hello-gateway:infra:ApiUserPool": [],
    "hello-gateway:infra:CustomDomain": [],
    "hello-gateway:infra:GatewayMonitoring": [],
    "hello-gateway:infra:HelloApi": [],
    "hello-gateway:infra:HttpGateway": [],
    "hello-gateway:infra:HttpStageAlarms": [],
    "hello-gateway:infra:LambdaFunction": [],
    "hello-gateway:infra:HttpCustomDomain": [],
    "hello-gateway:infra:Network": [],
    "hello-gateway:infra:OriginLoadBalancer": [],
    "hello-gateway:infra:OriginMonitoring": [],
    "hello-gateway:infra:StageFirewall": [],
    "hello-gateway:infra:WebServer": [],
    "hello-gateway:infra:OriginFleet": [],
    "hello-gateway:infra:OriginCertificates": [],
    "hello-gateway:infra:BackendClientCertificate": [],
    "hello-gateway:infra:LogEncryptionKey": [],
    "hello-gateway:infra:WebSocketApi": [],
    "hello-gateway:infra:ConnectionsTable": [],
    // The origin's root and server certificate are made locally by the tls provider.
    "tls:index/selfSignedCert:SelfSignedCert": [],
    "tls:index/certRequest:CertRequest": [],
    "tls:index/locallySignedCert:LocallySignedCert": [],

    // awsx's VPC is a component whose children the mocks never see: a VPC, a public subnet and
    // route table association per zone, a route table with a default route, an internet gateway.
    "awsx:ec2:Vpc": [
        "ec2:CreateVpc", "ec2:DeleteVpc", "ec2:DescribeVpcs", "ec2:ModifyVpcAttribute", "ec2:DescribeVpcAttribute",
        "ec2:CreateSubnet", "ec2:DeleteSubnet", "ec2:DescribeSubnets", "ec2:ModifySubnetAttribute",
        "ec2:CreateInternetGateway", "ec2:DeleteInternetGateway", "ec2:AttachInternetGateway", "ec2:DetachInternetGateway", "ec2:DescribeInternetGateways",
        "ec2:CreateRouteTable", "ec2:DeleteRouteTable", "ec2:DescribeRouteTables", "ec2:AssociateRouteTable", "ec2:DisassociateRouteTable",
        "ec2:CreateRoute", "ec2:DeleteRoute", "ec2:ReplaceRoute", "ec2:DescribeAvailabilityZones", "ec2:DescribeNetworkAcls",
        ...TAGS_EC2,
    ],
    "aws:ec2/securityGroup:SecurityGroup": [
        "ec2:CreateSecurityGroup", "ec2:DeleteSecurityGroup", "ec2:DescribeSecurityGroups", "ec2:DescribeSecurityGroupRules",
        "ec2:AuthorizeSecurityGroupIngress", "ec2:AuthorizeSecurityGroupEgress", "ec2:RevokeSecurityGroupIngress", "ec2:RevokeSecurityGroupEgress",
        "ec2:DescribeNetworkInterfaces", ...TAGS_EC2,
    ],
    "aws:ec2/keyPair:KeyPair": ["ec2:ImportKeyPair", "ec2:DescribeKeyPairs", "ec2:DeleteKeyPair", ...TAGS_EC2],
    "aws:ec2/instance:Instance": [
        "ec2:RunInstances", "ec2:TerminateInstances", "ec2:StopInstances", "ec2:StartInstances",
        "ec2:DescribeInstances", "ec2:DescribeInstanceAttribute", "ec2:ModifyInstanceAttribute", "ec2:DescribeInstanceTypes",
        "ec2:DescribeInstanceCreditSpecifications", "ec2:ModifyInstanceCreditSpecification",
        "ec2:ModifyInstanceMetadataOptions", "ec2:ModifyInstanceMaintenanceOptions",
        "ec2:DescribeImages", "ec2:DescribeVolumes", "ec2:DescribeNetworkInterfaces", ...TAGS_EC2,
    ],
    "aws:ec2/eip:Eip": ["ec2:AllocateAddress", "ec2:ReleaseAddress", "ec2:DescribeAddresses", "ec2:DescribeAddressesAttribute", ...TAGS_EC2],
    "aws:ec2/eipAssociation:EipAssociation": ["ec2:AssociateAddress", "ec2:DisassociateAddress", "ec2:DescribeAddresses"],

    // Group mode. Deleting an image from an instance also deletes the snapshots it owns.
    "aws:ec2/amiFromInstance:AmiFromInstance": [
        "ec2:CreateImage", "ec2:DeregisterImage", "ec2:DescribeImages", "ec2:DescribeImageAttribute", "ec2:ModifyImageAttribute",
        "ec2:DeleteSnapshot", "ec2:DescribeSnapshots", "ec2:DescribeInstances", "ec2:StopInstances", "ec2:StartInstances", ...TAGS_EC2,
    ],
    "aws:ec2transitgateway/instanceState:InstanceState": ["ec2:StopInstances", "ec2:StartInstances", "ec2:DescribeInstances", "ec2:DescribeInstanceStatus"],
    "aws:ec2/launchTemplate:LaunchTemplate": [
        "ec2:CreateLaunchTemplate", "ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate", "ec2:DeleteLaunchTemplate",
        "ec2:DescribeLaunchTemplates", "ec2:DescribeLaunchTemplateVersions", ...TAGS_EC2,
    ],
    // A group launching from a template needs its creator to be allowed what the template does.
    "aws:autoscaling/group:Group": [
        "autoscaling:CreateAutoScalingGroup", "autoscaling:UpdateAutoScalingGroup", "autoscaling:DeleteAutoScalingGroup",
        "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeScalingActivities", "autoscaling:DescribeWarmPool",
        "autoscaling:DescribeLifecycleHooks", "autoscaling:DescribeTrafficSources", "autoscaling:DescribeLoadBalancerTargetGroups",
        "autoscaling:AttachLoadBalancerTargetGroups", "autoscaling:DetachLoadBalancerTargetGroups",
        "autoscaling:StartInstanceRefresh", "autoscaling:CancelInstanceRefresh", "autoscaling:DescribeInstanceRefreshes",
        "autoscaling:EnableMetricsCollection", "autoscaling:DisableMetricsCollection",
        "autoscaling:CreateOrUpdateTags", "autoscaling:DeleteTags", "autoscaling:DescribeTags",
        "ec2:RunInstances", "ec2:CreateTags", "ec2:DescribeLaunchTemplateVersions", "elasticloadbalancing:DescribeTargetHealth",
    ],
    "aws:autoscaling/policy:Policy": ["autoscaling:PutScalingPolicy", "autoscaling:DeletePolicy", "autoscaling:DescribePolicies"],

    "aws:lb/loadBalancer:LoadBalancer": [
        "elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:DescribeLoadBalancers",
        "elasticloadbalancing:DescribeLoadBalancerAttributes", "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetSubnets",
        // A private origin's NLB carries a security group (and the PrivateLink inbound-rule setting).
        "elasticloadbalancing:SetSecurityGroups",
        "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags", "elasticloadbalancing:DescribeTags", "ec2:DescribeNetworkInterfaces",
    ],
    "aws:lb/targetGroup:TargetGroup": [
        "elasticloadbalancing:CreateTargetGroup", "elasticloadbalancing:DeleteTargetGroup", "elasticloadbalancing:ModifyTargetGroup",
        "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:ModifyTargetGroupAttributes",
        "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags", "elasticloadbalancing:DescribeTags",
    ],
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": [
        "elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets", "elasticloadbalancing:DescribeTargetHealth",
    ],
    "aws:lb/listener:Listener": [
        "elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener", "elasticloadbalancing:ModifyListener",
        "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerAttributes",
        "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags", "elasticloadbalancing:DescribeTags",
    ],

    "aws:apigateway/restApi:RestApi": APIGATEWAY,
    "aws:dynamodb/table:Table": [
        "dynamodb:CreateTable", "dynamodb:DeleteTable", "dynamodb:DescribeTable", "dynamodb:UpdateTable",
        "dynamodb:DescribeContinuousBackups", "dynamodb:UpdateContinuousBackups", "dynamodb:DescribeTimeToLive", "dynamodb:UpdateTimeToLive",
        "dynamodb:ListTagsOfResource", "dynamodb:TagResource", "dynamodb:UntagResource",
    ],
    "aws:apigateway/resource:Resource": APIGATEWAY,
    "aws:apigateway/method:Method": APIGATEWAY,
    "aws:apigateway/integration:Integration": APIGATEWAY,
    "aws:apigateway/deployment:Deployment": APIGATEWAY,
    "aws:apigateway/stage:Stage": APIGATEWAY,
    "aws:apigateway/methodSettings:MethodSettings": APIGATEWAY,
    "aws:apigateway/requestValidator:RequestValidator": APIGATEWAY,
    "aws:apigateway/model:Model": APIGATEWAY,
    "aws:apigateway/methodResponse:MethodResponse": APIGATEWAY,
    "aws:apigateway/integrationResponse:IntegrationResponse": APIGATEWAY,
    "aws:apigateway/response:Response": APIGATEWAY,
    "aws:apigateway/authorizer:Authorizer": [...APIGATEWAY, "cognito-idp:DescribeUserPool"],
    "aws:apigateway/apiKey:ApiKey": APIGATEWAY,
    "aws:apigateway/usagePlan:UsagePlan": APIGATEWAY,
    "aws:apigateway/usagePlanKey:UsagePlanKey": APIGATEWAY,
    "aws:apigateway/domainName:DomainName": [...APIGATEWAY, "acm:DescribeCertificate"],
    "aws:apigateway/basePathMapping:BasePathMapping": APIGATEWAY,
    // Setting the account's CloudWatch role also passes that role to API Gateway (iam:PassRole,
    // conditioned on the service; the spec requests it per role).
    "aws:apigateway/account:Account": [...APIGATEWAY, "iam:GetRole"],
    // A REST API VPC link is an endpoint service on the NLB, created in the caller's name.
    "aws:apigateway/clientCertificate:ClientCertificate": APIGATEWAY,
    "aws:apigateway/vpcLink:VpcLink": [
        ...APIGATEWAY,
        "ec2:CreateVpcEndpointServiceConfiguration", "ec2:DeleteVpcEndpointServiceConfigurations",
        "ec2:DescribeVpcEndpointServiceConfigurations", "ec2:ModifyVpcEndpointServicePermissions",
        "elasticloadbalancing:DescribeLoadBalancers",
    ],

    // Lambda routes (docs/deploy-role-policy-http-lambda.json): the function and its invoke permissions.
    "aws:lambda/function:Function": [
        "lambda:CreateFunction", "lambda:DeleteFunction", "lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:GetFunctionCodeSigningConfig",
        "lambda:ListVersionsByFunction", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
        "lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency", "lambda:GetFunctionConcurrency",
        "lambda:TagResource", "lambda:UntagResource", "lambda:ListTags",
    ],
    "aws:lambda/permission:Permission": ["lambda:AddPermission", "lambda:RemovePermission", "lambda:GetPolicy"],
    // HTTP APIs (API Gateway v2) use the same apigateway:* actions on /apis/* paths.
    "aws:apigatewayv2/api:Api": APIGATEWAY,
    "aws:apigatewayv2/route:Route": APIGATEWAY,
    "aws:apigatewayv2/integration:Integration": APIGATEWAY,
    "aws:apigatewayv2/authorizer:Authorizer": APIGATEWAY,
    // An HTTP API stage's access logs are a CloudWatch Logs delivery made in the caller's name
    // ("Configuring logging for an HTTP API": no account CloudWatch role).
    "aws:apigatewayv2/stage:Stage": [
        ...APIGATEWAY,
        "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries",
        "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
    ],
    "aws:apigatewayv2/domainName:DomainName": [...APIGATEWAY, "acm:DescribeCertificate"],
    "aws:apigatewayv2/apiMapping:ApiMapping": APIGATEWAY,
    // An HTTP API VPC link puts network interfaces into the origin's subnets in the caller's name.
    "aws:apigatewayv2/vpcLink:VpcLink": [
        ...APIGATEWAY,
        "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface", "ec2:DescribeNetworkInterfaces",
        "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs",
    ],

    "aws:cloudwatch/logGroup:LogGroup": [
        "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:DescribeLogGroups", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
        "logs:ListTagsForResource", "logs:TagResource", "logs:UntagResource", "logs:ListTagsLogGroup", "logs:TagLogGroup", "logs:UntagLogGroup",
        // encryptLogs: a log group with a customer-managed key.
        "logs:AssociateKmsKey", "logs:DisassociateKmsKey",
    ],
    // The WAF log group's resource policy, which lets WAF's log delivery write to it.
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": ["logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DeleteResourcePolicy"],
    "aws:cloudwatch/metricAlarm:MetricAlarm": [
        "cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms",
        "cloudwatch:ListTagsForResource", "cloudwatch:TagResource", "cloudwatch:UntagResource",
    ],
    "aws:cloudwatch/dashboard:Dashboard": ["cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"],
    "aws:sns/topic:Topic": [
        "sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes",
        "sns:ListTagsForResource", "sns:TagResource", "sns:UntagResource",
    ],
    "aws:sns/topicSubscription:TopicSubscription": ["sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes"],
    "aws:kms/key:Key": [
        "kms:CreateKey", "kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:EnableKeyRotation",
        "kms:ListResourceTags", "kms:TagResource", "kms:UntagResource", "kms:ScheduleKeyDeletion",
    ],
    "aws:kms/keyPolicy:KeyPolicy": ["kms:PutKeyPolicy", "kms:GetKeyPolicy", "kms:DescribeKey"],

    "aws:iam/role:Role": [
        "iam:CreateRole", "iam:GetRole", "iam:DeleteRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy", "iam:TagRole", "iam:UntagRole",
        "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole",
    ],
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:ListAttachedRolePolicies"],
    // The flow-log delivery role's inline policy.
    "aws:iam/rolePolicy:RolePolicy": ["iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy", "iam:ListRolePolicies"],
    "aws:ec2/flowLog:FlowLog": ["ec2:CreateFlowLogs", "ec2:DeleteFlowLogs", "ec2:DescribeFlowLogs", ...TAGS_EC2],

    "aws:cognito/userPool:UserPool": [
        "cognito-idp:CreateUserPool", "cognito-idp:DescribeUserPool", "cognito-idp:UpdateUserPool",
        "cognito-idp:GetUserPoolMfaConfig", "cognito-idp:SetUserPoolMfaConfig",
        "cognito-idp:ListTagsForResource", "cognito-idp:TagResource", "cognito-idp:UntagResource",
    ],
    "aws:cognito/userPoolClient:UserPoolClient": [
        "cognito-idp:CreateUserPoolClient", "cognito-idp:DescribeUserPoolClient", "cognito-idp:UpdateUserPoolClient", "cognito-idp:DeleteUserPoolClient",
    ],

    "aws:wafv2/webAcl:WebAcl": [
        "wafv2:CreateWebACL", "wafv2:GetWebACL", "wafv2:UpdateWebACL", "wafv2:DeleteWebACL", "wafv2:ListWebACLs",
        "wafv2:ListTagsForResource", "wafv2:TagResource", "wafv2:UntagResource",
    ],
    // Associating an API Gateway stage also needs API Gateway's own permission for it.
    // WAF delivers to CloudWatch Logs through a log delivery it creates in the caller's name.
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": [
        "wafv2:PutLoggingConfiguration", "wafv2:GetLoggingConfiguration", "wafv2:DeleteLoggingConfiguration",
        "logs:CreateLogDelivery", "logs:DeleteLogDelivery", "logs:GetLogDelivery", "logs:ListLogDeliveries",
        "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeLogGroups",
    ],
    "aws:wafv2/webAclAssociation:WebAclAssociation": [
        "wafv2:AssociateWebACL", "wafv2:DisassociateWebACL", "wafv2:GetWebACLForResource", "wafv2:GetWebACL", "apigateway:SetWebACL",
    ],

    "aws:acm/certificate:Certificate": [
        "acm:RequestCertificate", "acm:DescribeCertificate", "acm:DeleteCertificate",
        "acm:ListTagsForCertificate", "acm:AddTagsToCertificate", "acm:RemoveTagsFromCertificate",
    ],
    "aws:acm/certificateValidation:CertificateValidation": ["acm:DescribeCertificate"],
    "aws:route53/record:Record": ["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets", "route53:GetChange", "route53:GetHostedZone"],
};

export const ACTIONS_BY_INVOKE: Readonly<Record<string, readonly string[]>> = {
    "aws:ssm/getParameter:getParameter": ["ssm:GetParameter"],
    "aws:index/getAvailabilityZones:getAvailabilityZones": ["ec2:DescribeAvailabilityZones"],
    "aws:cloudwatch/getLogGroups:getLogGroups": ["logs:DescribeLogGroups"],
    "aws:index/getCallerIdentity:getCallerIdentity": ["sts:GetCallerIdentity"],
};

/** What the provider calls whatever the program holds: its credential check. */
export const PROVIDER_ACTIONS: readonly string[] = ["sts:GetCallerIdentity"];
