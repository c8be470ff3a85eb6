/**
 * Resource types in words, for everything a person reads in the plan (the diagram's "also in
 * this stack", the per-stack summary of plan.txt). One row per type token; a type a stack
 * registers without a row here fails tests/plan.spec.ts, which names the token to add. The
 * project's own components (`hello-gateway:infra:*`) group resources and are not named in words.
 */

/** Type token -> what it is, in words a reader of the plan knows (singular; counts go in front). */
export const RESOURCE_WORDS: Readonly<Record<string, string>> = {
    // Pulumi itself
    "pulumi:pulumi:StackReference": "stack reference (reads another stack's outputs)",
    // Network and servers
    "awsx:ec2:Vpc": "VPC with its subnets and routes",
    "aws:ec2/securityGroup:SecurityGroup": "security group",
    "aws:ec2/securityGroupRule:SecurityGroupRule": "security group rule",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "security group inbound rule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "security group outbound rule",
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": "VPC default security group",
    "aws:ec2/flowLog:FlowLog": "VPC flow log",
    "aws:ec2/instance:Instance": "EC2 instance",
    "aws:ec2/keyPair:KeyPair": "SSH key pair",
    "aws:ec2/eip:Eip": "Elastic IP",
    "aws:ec2/eipAssociation:EipAssociation": "Elastic IP association",
    "aws:ec2/amiFromInstance:AmiFromInstance": "machine image (AMI) of an instance",
    "aws:ec2/launchTemplate:LaunchTemplate": "launch template",
    // The provider files aws_ec2_instance_state under ec2transitgateway.
    "aws:ec2transitgateway/instanceState:InstanceState": "instance power state (running or stopped)",
    "aws:autoscaling/group:Group": "Auto Scaling group",
    "aws:autoscaling/policy:Policy": "scaling policy",
    "aws:lb/loadBalancer:LoadBalancer": "load balancer",
    "aws:lb/listener:Listener": "load balancer listener",
    "aws:lb/targetGroup:TargetGroup": "load balancer target group",
    "aws:lb/targetGroupAttachment:TargetGroupAttachment": "target group attachment",
    "command:remote:Command": "command run over SSH",
    "tls:index/privateKey:PrivateKey": "private key (generated)",
    "tls:index/selfSignedCert:SelfSignedCert": "self-signed certificate",
    "tls:index/certRequest:CertRequest": "certificate signing request",
    "tls:index/locallySignedCert:LocallySignedCert": "certificate signed by the stack's own root",
    // API Gateway
    "aws:apigateway/account:Account": "API Gateway account setting (its CloudWatch role)",
    "aws:apigateway/restApi:RestApi": "REST API",
    "aws:apigateway/resource:Resource": "API path segment",
    "aws:apigateway/method:Method": "API method",
    "aws:apigateway/integration:Integration": "API integration (where a method goes)",
    "aws:apigateway/deployment:Deployment": "API deployment",
    "aws:apigateway/stage:Stage": "API stage",
    "aws:apigateway/methodSettings:MethodSettings": "stage method settings",
    "aws:apigateway/model:Model": "request body model",
    "aws:apigateway/requestValidator:RequestValidator": "request validator",
    "aws:apigateway/clientCertificate:ClientCertificate": "API Gateway client certificate",
    "aws:apigateway/vpcLink:VpcLink": "VPC link",
    "aws:apigateway/authorizer:Authorizer": "API authorizer",
    "aws:apigateway/apiKey:ApiKey": "API key",
    "aws:apigateway/usagePlan:UsagePlan": "usage plan",
    "aws:apigateway/usagePlanKey:UsagePlanKey": "API key in a usage plan",
    "aws:apigateway/domainName:DomainName": "custom domain name",
    "aws:apigateway/basePathMapping:BasePathMapping": "custom domain path mapping",
    "aws:acm/certificate:Certificate": "ACM certificate",
    "aws:acm/certificateValidation:CertificateValidation": "ACM certificate validation",
    "aws:route53/record:Record": "Route 53 DNS record",
    "aws:wafv2/webAcl:WebAcl": "WAF web ACL",
    "aws:wafv2/webAclAssociation:WebAclAssociation": "WAF web ACL attachment",
    "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration": "WAF logging setting",
    // API Gateway v2: HTTP and WebSocket APIs
    "aws:apigatewayv2/api:Api": "HTTP or WebSocket API",
    "aws:apigatewayv2/stage:Stage": "HTTP or WebSocket API stage",
    "aws:apigatewayv2/route:Route": "HTTP or WebSocket API route",
    "aws:apigatewayv2/integration:Integration": "HTTP or WebSocket API integration",
    "aws:apigatewayv2/authorizer:Authorizer": "HTTP or WebSocket API authorizer",
    "aws:apigatewayv2/vpcLink:VpcLink": "VPC link (HTTP API)",
    "aws:apigatewayv2/domainName:DomainName": "custom domain name (API Gateway v2)",
    "aws:apigatewayv2/apiMapping:ApiMapping": "custom domain API mapping",
    // Functions and data
    "aws:lambda/function:Function": "Lambda function",
    "aws:lambda/permission:Permission": "Lambda invoke permission",
    "aws:dynamodb/table:Table": "DynamoDB table",
    "aws:cognito/userPool:UserPool": "Cognito user pool",
    "aws:cognito/userPoolClient:UserPoolClient": "Cognito app client",
    // Identity, keys, logs and monitoring
    "aws:iam/role:Role": "IAM role",
    "aws:iam/rolePolicy:RolePolicy": "IAM role inline policy",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "IAM managed policy attachment",
    "aws:kms/key:Key": "KMS key",
    "aws:kms/keyPolicy:KeyPolicy": "KMS key policy",
    "aws:cloudwatch/logGroup:LogGroup": "CloudWatch log group",
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": "CloudWatch Logs resource policy",
    "aws:cloudwatch/metricAlarm:MetricAlarm": "CloudWatch alarm",
    "aws:cloudwatch/dashboard:Dashboard": "CloudWatch dashboard",
    "aws:sns/topic:Topic": "SNS topic",
    "aws:sns/topicSubscription:TopicSubscription": "SNS subscription",
};

/** The words for a type; a type without a row still shows, as its token (the spec catches it). */
export function resourceWords(type: string): string {
    return RESOURCE_WORDS[type] ?? type;
}

/** `2 × security group, 1 × Elastic IP`-style lines: how many of each type, in words, in first-seen order. */
export function countsInWords(types: readonly string[]): string[] {
    const counts = new Map<string, number>();
    for (const type of types) {
        counts.set(type, (counts.get(type) ?? 0) + 1);
    }
    return [...counts].map(([type, count]) => `${count} × ${resourceWords(type)}`);
}
