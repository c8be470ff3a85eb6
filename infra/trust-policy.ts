/**
 * The trust policy of a role an AWS service assumes on this account's behalf only: the
 * `aws:SourceAccount` condition keeps another account from having the service use the role
 * for its own resources (the confused-deputy problem).
 */
export function serviceTrustPolicy(service: string, accountId: string): Record<string, unknown> {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Service: service },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": accountId } },
            },
        ],
    };
}
